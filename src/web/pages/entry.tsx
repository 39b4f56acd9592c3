import type { TimelineItem } from "../../app/timeline-query.ts";
import type { DisputeState } from "../../domain/state.ts";
import { describeEntry, entryOf, orgName, TYPE_LABELS } from "../describe.ts";
import { formatDateTime } from "../format.ts";
import { disputeHref, Layout } from "../layout.tsx";
import type { DisputeFrame, PageContext } from "../page-context.ts";

export interface EntryPageProps {
  ctx: PageContext;
  frame: DisputeFrame;
  state: DisputeState;
  item: TimelineItem;
  /** SHA-256(0x00 ‖ entry bytes ‖ signature), hex: the leaf the checkpoint's root covers. */
  leafHash: string;
}

/**
 * One entry's permanent page: what it says, who signed it and when, whether it was corrected,
 * and everything needed to check it against the signed checkpoint without trusting this site.
 */
export function EntryPage(props: EntryPageProps) {
  const { frame, state, item } = props;
  const entry = entryOf(item);
  const tz = frame.timeZone;
  const label = TYPE_LABELS[entry.type] ?? entry.type;
  const text = describeEntry(entry, state, tz);
  const correction = Object.hasOwn(state.corrections, String(item.seq))
    ? state.corrections[String(item.seq)]
    : undefined;
  const slug = encodeURIComponent(frame.slug);
  const api = `/api/v1/disputes/${slug}`;
  return (
    <Layout
      ctx={props.ctx}
      title={`${label} #${item.seq} · ${frame.title}`}
      frame={frame}
      tab="/timeline"
      path={disputeHref({ ...frame, asOf: null }, `/entries/${item.seq}`)}
      description={text}
    >
      <h1>
        {label} <span class="muted">#{item.seq}</span>
      </h1>
      <p class="entry-text">{text}</p>
      {correction ? (
        <p class="tl-correction" role="note">
          {correction.action === "retract" ? "Retracted" : "Corrected"} by{" "}
          <a href={disputeHref(frame, `/entries/${correction.by}`)}>entry #{correction.by}</a> on{" "}
          {formatDateTime(correction.at, tz)}.
        </p>
      ) : null}
      <dl class="facts entry-facts">
        <dt>Happened</dt>
        <dd>
          <time dateTime={item.occurredAt}>{formatDateTime(item.occurredAt, tz)}</time>
        </dd>
        <dt>Recorded</dt>
        <dd>
          <time dateTime={item.recordedAt}>{formatDateTime(item.recordedAt, tz)}</time>
        </dd>
        <dt>Recorded by</dt>
        <dd>{orgName(state, item.org)}</dd>
        <dt>Seen by</dt>
        <dd>
          {item.visibility}
          {item.published ? (
            <>
              {", made public "}
              {formatDateTime(item.published.at, tz)} by{" "}
              <a href={disputeHref(frame, `/entries/${item.published.seq}`)}>entry #{item.published.seq}</a>
            </>
          ) : null}
        </dd>
      </dl>

      <section class="card" aria-labelledby="check-heading">
        <h2 id="check-heading">Check it yourself</h2>
        <p>
          {orgName(state, item.org)} signed this entry with its key <code class="hash">{entry.keyId}</code> (
          <a href={`/api/v1/orgs/${encodeURIComponent(item.org)}`}>its public keys</a>). The entry's leaf in
          the dispute's Merkle tree is <code class="hash">{props.leafHash}</code>.
        </p>
        <ul>
          <li>
            <a href={`${api}/proofs/inclusion?seq=${item.seq}`}>Inclusion proof</a> against the latest{" "}
            <a href={`${api}/checkpoint`}>signed checkpoint</a>
          </li>
          <li>
            <a href={`${api}/export`}>The public record</a>, to check offline with{" "}
            <code>npx parley verify {frame.slug}.jsonl</code>
          </li>
        </ul>
        <details>
          <summary>The signed entry and its signature</summary>
          <pre class="signed-entry">{JSON.stringify(item.entry, null, 2)}</pre>
          <p>
            Signature (Ed25519, base64): <code class="hash">{item.signature}</code>
          </p>
        </details>
      </section>
    </Layout>
  );
}

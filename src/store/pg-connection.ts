import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import type { CompiledQuery } from "kysely";
import type pg from "pg";
import { PREPARE_MARK } from "./dialect.ts";
import { PIPELINE_MARK, type PipelinedAnswer } from "./pipeline.ts";

/**
 * How Parley's statements go out on a node-postgres connection. The client's `query` is wrapped
 * where the pool makes the client, since Kysely has no say in how a statement is sent:
 * statements marked with `preparedOnce` (dialect.ts) go as named prepared statements, named
 * after their text (pg parses each name once per connection, then only binds), and a
 * `pipelined` statement (pipeline.ts) goes as the statements it stands for.
 *
 * node-postgres writes each protocol message of a statement (parse, bind, describe, execute,
 * sync) to the socket on its own: a system call each, and as many wake-ups of the server
 * reading them. The socket is corked while a call sends, so what it sends leaves in one write.
 */
export function wrapClientQuery(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  const socket = (client as unknown as { connection: { stream: Writable } }).connection.stream;
  const send = (text: string, values: unknown, ...rest: unknown[]) =>
    text.startsWith(PREPARE_MARK)
      ? query({ name: statementName(text), text, values }, ...rest)
      : query(text, values, ...rest);
  /**
   * A COMMIT sent inside a pipeline ends the transaction there; the commit Kysely sends when the
   * transaction's work returns is answered with that COMMIT's own answer (a ROLLBACK tag if the
   * transaction had failed, which Kysely reports), and a rollback with nothing to roll back.
   */
  let ended: Promise<pg.QueryResult> | null = null;
  /**
   * A BEGIN is held back and sent with the transaction's first statement: its own round trip
   * would cost a write, a wake-up of the server and a read, for an answer that is never in doubt
   * (whatever would make it fail makes the statement behind it fail too).
   */
  let beginHeld = false;
  const sendAny = (text: unknown, values: unknown, ...rest: unknown[]) => {
    if (text === "begin") {
      beginHeld = true;
      return Promise.resolve({ command: "BEGIN", rows: [], rowCount: null });
    }
    if (beginHeld) {
      beginHeld = false;
      // A transaction that sent nothing has nothing to end.
      if (text === "commit" || text === "rollback") {
        return Promise.resolve({ command: text.toUpperCase(), rows: [], rowCount: null });
      }
      query("begin").catch(() => {});
    }
    if (text === PIPELINE_MARK) {
      const sent = (values as CompiledQuery[][])[0]!.map((q) => {
        const answer = send(q.sql, [...q.parameters]);
        if (q.sql === "commit") ended = answer;
        return answer;
      });
      return answered(sent);
    }
    if (ended && (text === "commit" || text === "rollback")) {
      const answer = text === "commit" ? ended : ended.catch(() => ({ command: "ROLLBACK", rows: [] }));
      ended = null;
      return answer;
    }
    return typeof text === "string" ? send(text, values, ...rest) : query(text, values, ...rest);
  };
  (client as { query: unknown }).query = (...args: unknown[]) => {
    socket.cork();
    try {
      return sendAny(...(args as [unknown, unknown]));
    } finally {
      socket.uncork();
    }
  };
}

/** A pipeline's answer: every statement's, or the first failure once all have answered. */
async function answered(
  sent: Promise<pg.QueryResult>[],
): Promise<{ command: string; rows: PipelinedAnswer[] }> {
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return {
    command: "SELECT",
    rows: settled.map((s) => {
      const r = (s as PromiseFulfilledResult<pg.QueryResult>).value;
      return { command: r.command, rows: r.rows };
    }),
  };
}

/** Names by text; as bounded as the set of marked statements. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `parley_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    names.set(text, name);
  }
  return name;
}

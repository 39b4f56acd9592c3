import { orgName } from "../../describe.ts";
import { formatDate } from "../../format.ts";
import { Island } from "../../island.tsx";
import { type FormEnv, openIssues } from "./env.ts";
import { Checkbox, Checkboxes, Radios, SelectField, TextArea, TextField } from "./fields.tsx";
import { blocksFrom, PassIssues } from "./pass-issues.tsx";

/** Without JavaScript: this many issue blocks, and term rows in each, at the least. */
export const PASS_BLOCKS = 3;
export const PASS_TERMS = 3;

export function PassFields({ f, state }: FormEnv) {
  const options = openIssues(state);
  const errors = f.errorMap("issues");
  return (
    <>
      <Radios
        f={f}
        name="kind"
        label="Kind of pass"
        options={[
          { value: "proposal", label: "Proposal", hint: "This side's own proposal." },
          {
            value: "counterproposal",
            label: "Counterproposal",
            hint: "An answer to the other side's last pass.",
          },
        ]}
      />
      <TextArea
        f={f}
        name="summary"
        label="Summary"
        rows={3}
        hint="A sentence or two on what this pass does."
      />
      <h2>Issues in this pass</h2>
      <p class="hint">One issue makes a pass; several make a package.</p>
      {options.length === 0 ? <p class="notice">No issue is open: open one first.</p> : null}
      <Island name="pass-form" class="pass-form" data={{ options, blocks: blocksFrom(f.values), errors }}>
        <PassIssues
          options={options}
          blocks={blocksFrom(f.values, { minBlocks: PASS_BLOCKS, minTerms: PASS_TERMS })}
          errors={errors}
        />
      </Island>
    </>
  );
}

export function TaFields({ f, state, org }: FormEnv) {
  const mySide = org.side;
  const awaiting = Object.values(state.tas)
    .filter((t) => t.completedAt === null && (mySide === null || !t.signedBy.includes(mySide)))
    .map((t) => ({
      value: String(t.seq),
      label: `Entry #${t.seq} of ${formatDate(t.signedAt.slice(0, 10))}: ${
        t.wholeAgreement ? "the whole agreement" : t.issues.map((i) => state.issues[i]?.title ?? i).join(", ")
      } (signed by ${t.signedBy.map((s) => orgName(state, s)).join(", ")})`,
    }));
  return (
    <>
      <SelectField
        f={f}
        name="countersigns"
        label="Countersign"
        empty="No: this is a new tentative agreement"
        options={awaiting}
        hint="To countersign the other side's tentative agreement, choose it; its issues are then filled in for you."
      />
      <Checkboxes
        f={f}
        name="issues"
        label="Issues it covers"
        hint="A new agreement covers at least one open issue; a countersignature covers exactly the issues of the agreement."
        options={openIssues(state)}
        none="No issue is open."
        required
      />
      <Checkbox
        f={f}
        name="wholeAgreement"
        label="This settles the whole agreement"
        hint="Tick it for the tentative agreement on the whole contract, which goes to a ratification vote."
      />
      <TextArea f={f} name="language" label="Agreed language" rows={8} />
    </>
  );
}

export function IssueFields({ f }: FormEnv) {
  return (
    <>
      <TextField f={f} name="title" label="Title" required hint="E.g. Minimum staffing in writers rooms." />
      <TextField
        f={f}
        name="article"
        label="Article"
        hint="Where it sits in the agreement, e.g. Article 14."
      />
      <TextField
        f={f}
        name="issue"
        label="Short id"
        hint="Used in links: lowercase letters, digits and dashes. Left blank, it is made from the title."
      />
    </>
  );
}

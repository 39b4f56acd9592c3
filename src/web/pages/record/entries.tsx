import type { FormEnv } from "./env.ts";
import { Radios, SelectField, TextArea } from "./fields.tsx";

export function PublishFields({ f, org, ownEntries }: FormEnv) {
  const options = ownEntries
    .filter((e) => e.visibility !== "public" && !e.published && e.type !== "entry.published")
    .map((e) => ({ value: String(e.seq), label: e.label }));
  return (
    <>
      <SelectField
        f={f}
        name="entry"
        label="Entry to publish"
        required
        empty="Choose an entry"
        options={options}
        none={`${org.shortName} has no entry that is not public yet.`}
        hint={`Only ${org.shortName}'s own entries can be published by it.`}
      />
      <TextArea f={f} name="note" label="Note" rows={3} hint="Why it is made public now, for the record." />
    </>
  );
}

export function CorrectFields({ f, org, ownEntries }: FormEnv) {
  const options = ownEntries
    .filter((e) => e.type !== "entry.corrected" && e.type !== "dispute.opened")
    .map((e) => ({ value: String(e.seq), label: e.label }));
  return (
    <>
      <SelectField
        f={f}
        name="entry"
        label="Entry to correct"
        required
        empty="Choose an entry"
        options={options}
        none={`${org.shortName} has no entry to correct.`}
        hint={`Only ${org.shortName}'s own entries. The original stays in the record; the correction points at it.`}
      />
      <Radios
        f={f}
        name="action"
        label="Correct or retract"
        options={[
          { value: "correct", label: "Correct it", hint: "Give the corrected text below." },
          { value: "retract", label: "Retract it", hint: "It no longer stands." },
        ]}
      />
      <TextArea f={f} name="reason" label="Reason" required rows={3} />
      <TextArea
        f={f}
        name="text"
        label="Corrected text"
        rows={6}
        hint="Required to correct; leave blank to retract."
      />
    </>
  );
}

import { orgName } from "../../describe.ts";
import { formatDateTime } from "../../format.ts";
import { clip, type FormEnv, orgOptions } from "./env.ts";
import { DateTimeField, Radios, SelectField, TextArea, TextField } from "./fields.tsx";

const CHANNELS = [
  { value: "press-release", label: "Press release" },
  { value: "member-update", label: "Update to members" },
  { value: "social", label: "Social media" },
  { value: "interview", label: "Interview" },
  { value: "press-conference", label: "Press conference" },
  { value: "other", label: "Other" },
];

export function StatementFields({ f, state }: FormEnv) {
  return (
    <>
      <SelectField f={f} name="by" label="Whose statement" required options={orgOptions(state)} />
      <TextField f={f} name="speaker" label="Speaker" hint="Who said it, if a person: name and role." />
      <SelectField f={f} name="channel" label="Channel" required options={CHANNELS} />
      <TextArea f={f} name="text" label="Statement" required rows={8} />
      <TextField f={f} name="url" type="url" label="Link to the original" hint="https://…" />
    </>
  );
}

export function CommentRequestFields({ f, state, frame, org }: FormEnv) {
  return (
    <>
      <SelectField
        f={f}
        name="to"
        label="Asked"
        required
        empty="Choose an organization"
        options={orgOptions(state).filter((o) => o.value !== org.id)}
      />
      <TextArea f={f} name="question" label="Question" required rows={4} />
      <DateTimeField f={f} name="deadline" label="Deadline" required timeZone={frame.timeZone} />
      <TextField
        f={f}
        name="request"
        label="Short id"
        hint="Lowercase letters, digits and dashes. Left blank, it is made from whom you ask and the day."
      />
    </>
  );
}

export function CommentAnswerFields({ f, state, frame, org }: FormEnv) {
  const open = Object.values(state.requests)
    .filter((r) => r.to === org.id && r.response === null)
    .map((r) => ({
      value: r.id,
      label: `From ${orgName(state, r.from)}, due ${formatDateTime(r.deadline, frame.timeZone)}: ${clip(r.question)}`,
    }));
  return (
    <>
      <SelectField
        f={f}
        name="request"
        label="Request for comment"
        required
        empty="Choose a request"
        options={open}
        none={`No request for comment to ${org.shortName} awaits an answer.`}
      />
      <Radios
        f={f}
        name="response"
        label="Response"
        options={[
          { value: "responded", label: "Respond" },
          { value: "declined", label: "Decline to comment" },
        ]}
      />
      <TextArea f={f} name="text" label="Answer" rows={6} />
    </>
  );
}

export function ImpactFields({ f }: FormEnv) {
  return (
    <>
      <TextField
        f={f}
        name="what"
        label="What is measured"
        required
        hint="E.g. Wages lost by crews in Los Angeles."
      />
      <fieldset class="rows">
        <legend>The figure</legend>
        <p class="hint">
          A value, or a range with both low and high. Numbers as digits with a point for decimals (1400000000,
          -17, 3.5): no thousands separators.
        </p>
        <div class="row">
          <TextField f={f} name="value" label="Value" inputMode="decimal" />
          <TextField f={f} name="low" label="Low" inputMode="decimal" />
          <TextField f={f} name="high" label="High" inputMode="decimal" />
        </div>
      </fieldset>
      <TextField f={f} name="unit" label="Unit" required hint="E.g. USD, jobs, %." />
      <TextField f={f} name="asOf" type="date" label="As of" required hint="The day the figure describes." />
      <TextArea f={f} name="method" label="Method" required rows={4} hint="How the figure was arrived at." />
      <TextField f={f} name="source.name" label="Source" required hint="Who produced the figure." />
      <TextField f={f} name="source.url" type="url" label="Link to the source" hint="https://…" />
      <TextField
        f={f}
        name="figure"
        label="Short id"
        hint="Lowercase letters, digits and dashes. Left blank, it is made from what is measured."
      />
    </>
  );
}

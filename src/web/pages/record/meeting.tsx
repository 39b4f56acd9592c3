import { type FormEnv, meetingOptions, openMeeting, orgOptions } from "./env.ts";
import {
  Checkboxes,
  DateTimeField,
  type FormState,
  Radios,
  SelectField,
  TextArea,
  TextField,
} from "./fields.tsx";

/** Rows of proposed times offered without JavaScript (blank ones are ignored). */
export const TIME_ROWS = 3;
/** Rows of attendees offered (blank ones are ignored). */
export const ATTENDEE_ROWS = 6;

function ProposedTimes({ f, timeZone, legend }: { f: FormState; timeZone: string; legend: string }) {
  return (
    <fieldset class="rows">
      <legend>
        {legend} <span class="optional">(optional)</span>
      </legend>
      <p class="hint">Start and end of each, in {timeZone}. Blank rows are ignored.</p>
      {Array.from({ length: TIME_ROWS }, (_, i) => (
        <div class="row" key={i}>
          <TextField
            f={f}
            type="datetime-local"
            name={`proposedTimes.${i}.start`}
            label={`Time ${i + 1}: start`}
          />
          <TextField
            f={f}
            type="datetime-local"
            name={`proposedTimes.${i}.end`}
            label={`Time ${i + 1}: end`}
          />
        </div>
      ))}
    </fieldset>
  );
}

function MeetingSelect({
  env,
  label,
  keep,
  none,
}: {
  env: FormEnv;
  label: string;
  keep: Parameters<typeof meetingOptions>[2];
  none: string;
}) {
  return (
    <SelectField
      f={env.f}
      name="meeting"
      label={label}
      required
      empty="Choose a meeting"
      options={meetingOptions(env.state, env.frame.timeZone, keep)}
      none={none}
    />
  );
}

export function RequestFields({ f, state, frame }: FormEnv) {
  return (
    <>
      <Radios
        f={f}
        name="kind"
        label="Kind of meeting"
        options={[
          {
            value: "table",
            label: "At the table",
            hint: "A bargaining session with the other side, which then owes an answer.",
          },
          {
            value: "side",
            label: "Side meeting",
            hint: "With someone who is not a party, such as another union.",
          },
        ]}
      />
      <TextArea f={f} name="purpose" label="Purpose" required rows={3} hint="What the meeting is for." />
      <ProposedTimes f={f} timeZone={frame.timeZone} legend="Times you propose" />
      <Checkboxes
        f={f}
        name="with"
        label="With"
        hint="Organizations asked to attend, besides the other side."
        options={orgOptions(state)}
      />
      <TextField
        f={f}
        name="meeting"
        label="Short id"
        hint="Used to answer and schedule it: lowercase letters, digits and dashes. Left blank, it is made from the kind and the day."
      />
    </>
  );
}

export function AnswerFields(env: FormEnv) {
  const { f, frame, org } = env;
  return (
    <>
      <MeetingSelect
        env={env}
        label="Request to answer"
        keep={(m) =>
          (m.status === "requested" || m.status === "countered") &&
          (m.awaiting === null || m.awaiting === org.side)
        }
        none={`No meeting request awaits an answer from ${org.shortName}.`}
      />
      <Radios
        f={f}
        name="answer"
        label="Answer"
        options={[
          { value: "accepted", label: "Accept" },
          { value: "declined", label: "Decline" },
          {
            value: "countered",
            label: "Counter",
            hint: "Propose other times: the move goes back to the side that asked.",
          },
        ]}
      />
      <ProposedTimes f={f} timeZone={frame.timeZone} legend="Other times you propose" />
      <TextArea f={f} name="note" label="Note" rows={3} />
    </>
  );
}

const KINDS = [
  { value: "table", label: "At the table", hint: "A bargaining session of the parties." },
  { value: "caucus", label: "Caucus", hint: "One side's own meeting." },
  { value: "side", label: "Side meeting", hint: "With someone who is not a party." },
];

export function ScheduleFields(env: FormEnv) {
  const { f, state, frame } = env;
  return (
    <>
      <SelectField
        f={f}
        name="meeting"
        label="Meeting"
        empty="A new meeting"
        options={meetingOptions(state, frame.timeZone, openMeeting)}
        hint="A meeting already requested or scheduled, or a new one."
      />
      <TextField
        f={f}
        name="newMeeting"
        label="Short id of a new meeting"
        hint="Lowercase letters, digits and dashes. Left blank, it is made from the kind and the day."
      />
      <Radios f={f} name="kind" label="Kind of meeting" options={KINDS} />
      <DateTimeField f={f} name="start" label="Starts" required timeZone={frame.timeZone} />
      <DateTimeField f={f} name="end" label="Ends" required timeZone={frame.timeZone} />
      <TextField f={f} name="place" label="Place" />
      <TextField f={f} name="link" type="url" label="Link" hint="For a meeting held online: https://…" />
      <Checkboxes
        f={f}
        name="with"
        label="With"
        hint="Organizations asked to attend, besides the parties."
        options={orgOptions(state)}
      />
      <TextArea f={f} name="purpose" label="Purpose" rows={3} />
    </>
  );
}

export function HeldFields(env: FormEnv) {
  const { f, state, frame } = env;
  const orgs = orgOptions(state);
  return (
    <>
      <MeetingSelect
        env={env}
        label="Meeting held"
        keep={openMeeting}
        none="No meeting is awaiting its session."
      />
      <DateTimeField
        f={f}
        name="start"
        label="Started"
        timeZone={frame.timeZone}
        hint="If not as scheduled."
      />
      <DateTimeField f={f} name="end" label="Ended" timeZone={frame.timeZone} hint="If not as scheduled." />
      <fieldset class="rows">
        <legend>
          Who attended <span class="optional">(optional)</span>
        </legend>
        <p class="hint">
          A person or a group (e.g. the negotiating committee) and whom they came for. Blank rows are ignored.
        </p>
        {Array.from({ length: ATTENDEE_ROWS }, (_, i) => (
          <div class="row" key={i}>
            <TextField f={f} name={`attendees.${i}.name`} label={`Attendee ${i + 1}: name`} />
            <SelectField
              f={f}
              name={`attendees.${i}.org`}
              label={`Attendee ${i + 1}: for`}
              empty="Choose an organization"
              options={orgs}
            />
          </div>
        ))}
      </fieldset>
      <TextArea f={f} name="summary" label="What happened" rows={5} />
    </>
  );
}

export function PostponeFields(env: FormEnv) {
  const { f, frame } = env;
  return (
    <>
      <MeetingSelect env={env} label="Meeting to postpone" keep={openMeeting} none="No meeting is open." />
      <TextArea f={f} name="reason" label="Reason" rows={3} />
      <DateTimeField
        f={f}
        name="start"
        label="New start"
        timeZone={frame.timeZone}
        hint="Leave blank if no new time is set."
      />
      <DateTimeField f={f} name="end" label="New end" timeZone={frame.timeZone} />
    </>
  );
}

export function CancelFields(env: FormEnv) {
  return (
    <>
      <MeetingSelect env={env} label="Meeting to cancel" keep={openMeeting} none="No meeting is open." />
      <TextArea f={env.f} name="reason" label="Reason" rows={3} />
    </>
  );
}

export function NoteFields(env: FormEnv) {
  const { f, state, frame } = env;
  return (
    <>
      <TextArea
        f={f}
        name="text"
        label="Note"
        required
        rows={10}
        hint="Markdown works: **bold**, _italics_, lists."
      />
      <SelectField
        f={f}
        name="meeting"
        label="About the meeting"
        empty="No particular meeting"
        options={meetingOptions(state, frame.timeZone, () => true)}
      />
    </>
  );
}

import { type FormEnv, orgOptions, runningStoppages } from "./env.ts";
import { Checkboxes, DateTimeField, Radios, SelectField, TextField } from "./fields.tsx";

export function StartFields({ f, state, frame }: FormEnv) {
  const orgs = orgOptions(state);
  return (
    <>
      <Radios
        f={f}
        name="kind"
        label="Kind of stoppage"
        options={[
          { value: "strike", label: "Strike", hint: "Workers stop work." },
          { value: "lockout", label: "Lockout", hint: "The employers stop the work." },
        ]}
      />
      <Checkboxes f={f} name="by" label="Stopping work" required options={orgs} />
      <Checkboxes f={f} name="against" label="Against" required options={orgs} />
      <DateTimeField
        f={f}
        name="start"
        label="Starts"
        required
        timeZone={frame.timeZone}
        hint="Its first day is day 1."
      />
      <TextField
        f={f}
        name="workers"
        label="Workers out"
        inputMode="numeric"
        hint="A whole number, e.g. 11500."
      />
      <TextField
        f={f}
        name="stoppage"
        label="Short id"
        hint="Lowercase letters, digits and dashes. Left blank, it is made from the kind and the first day."
      />
    </>
  );
}

/** The stoppage a move is about: one of those running. */
function RunningStoppage({ f, state, frame }: FormEnv) {
  return (
    <SelectField
      f={f}
      name="stoppage"
      label="Stoppage"
      required
      empty="Choose a stoppage"
      options={runningStoppages(state, frame.timeZone)}
      none="No stoppage is running."
    />
  );
}

export function JoinFields(env: FormEnv) {
  const { f, state, frame } = env;
  return (
    <>
      <RunningStoppage {...env} />
      <SelectField
        f={f}
        name="org"
        label="Organization joining"
        required
        empty="Choose an organization"
        options={orgOptions(state)}
      />
      <DateTimeField f={f} name="at" label="Joined" required timeZone={frame.timeZone} />
      <TextField
        f={f}
        name="workers"
        label="Workers it brings out"
        inputMode="numeric"
        hint="A whole number."
      />
    </>
  );
}

export function EndFields(env: FormEnv) {
  const { f, frame } = env;
  return (
    <>
      <RunningStoppage {...env} />
      <DateTimeField
        f={f}
        name="end"
        label="Ends"
        required
        timeZone={frame.timeZone}
        hint="A stoppage ending at 00:01 has the day before as its last."
      />
    </>
  );
}

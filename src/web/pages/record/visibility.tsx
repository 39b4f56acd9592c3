import type { DisputeState } from "../../../domain/state.ts";
import type { Visibility } from "../../../domain/values.ts";
import { orgName } from "../../describe.ts";
import { type FormState, Radios } from "./fields.tsx";

export const VISIBILITIES = [
  "private",
  "members",
  "table",
  "public",
] as const satisfies readonly Visibility[];

const LABELS: Record<Visibility, string> = {
  private: "Private",
  members: "Members",
  table: "Table",
  public: "Public",
};

function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * Exactly who will see an entry `org` records with each visibility, in the words of the one
 * rule (app/visibility.ts): private goes to the authoring side's negotiators, members to every
 * account of the authoring organization, table to the negotiators of every side.
 */
export function visibilitySentences(state: DisputeState, org: string): Record<Visibility, string> {
  const me = orgName(state, org);
  const sideId = state.orgs[org]?.side ?? null;
  const sides = Object.values(state.sides).sort((a, b) => a.order - b.order);
  const side = sideId ? state.sides[sideId] : undefined;
  const sideOrgs = side ? side.orgs.map((o) => orgName(state, o)) : [];
  const others = side ? sides.filter((s) => s.id !== side.id).map((s) => s.shortName) : [];
  return {
    private: side
      ? `Only the negotiators of the ${side.shortName} side${sideOrgs.length > 1 ? ` (${list(sideOrgs)})` : ""}: not your members, not ${list(others) || "the other side"}, not the public.`
      : `Only ${me}'s negotiators: not its members, not the parties, not the public.`,
    members: `Everyone with an account in ${me}, negotiators and members alike, and no one else${
      sideOrgs.length > 1 ? ` (not even ${list(sideOrgs.filter((n) => n !== me))})` : ""
    }.`,
    table: `The negotiators of every side at the table (${list(sides.map((s) => s.shortName))}): not members, not the public.${
      side ? "" : ` ${me} has no seat at the table, so its own people will not see it either.`
    }`,
    public: "Everyone: the public and the press, on these pages and in feeds, exports and calendars.",
  };
}

/**
 * Who will see the entry, chosen before it is recorded, with the sentence under each choice
 * saying exactly who that is. A publication is always public, so it offers no choice.
 */
export function VisibilityFieldset(props: {
  f: FormState;
  sentences: Record<Visibility, string>;
  only?: Visibility;
  hint?: string;
}) {
  const choices = props.only ? [props.only] : VISIBILITIES;
  return (
    <Radios
      f={props.f}
      name="visibility"
      label="Who will see it"
      class="visibility-choices"
      hint={props.hint}
      options={choices.map((v) => ({ value: v, label: LABELS[v], hint: props.sentences[v] }))}
    />
  );
}

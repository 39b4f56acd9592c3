import type { z } from "zod";
import type { Command } from "../domain/decide.ts";
import type { EntryType, PAYLOADS } from "../domain/events.ts";
import type { Visibility } from "../domain/values.ts";

export interface Actor {
  org: string;
  user: string;
}

/** A payload as written (schema input: fields with defaults may be left out). */
export type PayloadInput<T extends EntryType> = z.input<(typeof PAYLOADS)[T]>;

/** Looks up the sequence number a labelled entry will have in the ledger. */
export type SeqOf = (label: string) => number;

export interface Step<T extends EntryType = EntryType> {
  type: T;
  by: Actor;
  /** occurredAt, a UTC instant (see at() in time.ts) */
  at: string;
  visibility: Visibility;
  /** The payload, or a function of SeqOf when it points at an earlier entry. */
  payload: PayloadInput<T> | ((seq: SeqOf) => PayloadInput<T>);
  /** A name for this entry, so later entries can reference its sequence number. */
  label?: string;
}

export interface DemoDispute {
  slug: string;
  /** The first entry (seq 0), written by Parley.openDispute. */
  opening: {
    actor: Actor;
    occurredAt: string;
    visibility: Visibility;
    payload: PayloadInput<"dispute.opened">;
  };
  /** Every later entry in occurrence order; commands[i] becomes seq i + 1. */
  commands: Command[];
  /** The sequence number and type each labelled entry gets, checked after loading. */
  labels: Record<string, { seq: number; type: EntryType }>;
}

/**
 * Collects a dispute's entries in any order, then puts them in occurrence order (stable, so
 * entries at the same instant keep the order they were added in) and numbers them as the
 * ledger will: one entry per command, the opening first. References between entries (a
 * publication, a countersignature) are written by label and resolved to those numbers.
 */
export class Script {
  private readonly steps: Step[] = [];

  constructor(readonly slug: string) {}

  add<T extends EntryType>(step: Step<T>): void {
    this.steps.push(step as unknown as Step);
  }

  build(): DemoDispute {
    const ordered = this.steps
      .map((step, i) => ({ step, i }))
      .sort((a, b) => (a.step.at < b.step.at ? -1 : a.step.at > b.step.at ? 1 : a.i - b.i))
      .map((x) => x.step);
    const [first, ...rest] = ordered;
    if (first?.type !== "dispute.opened") {
      throw new Error(`${this.slug}: the first entry in time must be dispute.opened`);
    }
    if (rest.some((s) => s.type === "dispute.opened")) throw new Error(`${this.slug}: opened twice`);

    const labels: DemoDispute["labels"] = {};
    ordered.forEach((step, seq) => {
      if (!step.label) return;
      if (labels[step.label]) throw new Error(`${this.slug}: label ${step.label} used twice`);
      labels[step.label] = { seq, type: step.type };
    });

    const resolve = (step: Step, seq: number): unknown => {
      if (typeof step.payload !== "function") return step.payload;
      return step.payload((label) => {
        const target = labels[label];
        if (!target) throw new Error(`${this.slug}: no entry labelled ${label}`);
        if (target.seq >= seq) throw new Error(`${this.slug}: entry ${seq} refers forward to ${label}`);
        return target.seq;
      });
    };

    return {
      slug: this.slug,
      opening: {
        actor: first.by,
        occurredAt: first.at,
        visibility: first.visibility,
        payload: resolve(first, 0) as PayloadInput<"dispute.opened">,
      },
      commands: rest.map((step, i) => ({
        actor: step.by,
        type: step.type,
        occurredAt: step.at,
        visibility: step.visibility,
        payload: resolve(step, i + 1),
      })),
      labels,
    };
  }
}

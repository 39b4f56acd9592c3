import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ProofError, verifyConsistency, verifyInclusion } from "../../src/ledger/proof.ts";
import { vectorsAvailable, vectorsDir } from "../support/shared.ts";

// transparency-dev/merkle vectors: one JSON case per file, hashes in base64, `proof: null`
// meaning an empty proof. Some leaf indices are 2^64 - 1 (a Go uint64 underflow of 0 - 1);
// JSON.parse rounds that to 2^64, which is still correctly out of range.

type InclusionCase = {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
};

type ConsistencyCase = {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
};

const available = vectorsAvailable();
const merkleDir = join(vectorsDir, "merkle");

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return jsonFiles(path);
      return entry.name.endsWith(".json") ? [path] : [];
    })
    .sort();
}

function load<T>(kind: string): { name: string; data: T }[] {
  if (!available) return [];
  return jsonFiles(join(merkleDir, kind)).map((file) => {
    const data = JSON.parse(readFileSync(file, "utf8")) as T & { desc: string };
    return { name: `${relative(merkleDir, file)} (${data.desc})`, data };
  });
}

const b64 = (s: string) => Buffer.from(s, "base64");

/** Runs a verification; returns the ProofError it threw, or null if it accepted. */
function outcome(run: () => void): ProofError | null {
  try {
    run();
    return null;
  } catch (err) {
    if (err instanceof ProofError) return err;
    throw err;
  }
}

function expectOutcome(wantErr: boolean, err: ProofError | null): void {
  if (wantErr) expect(err, "expected the verifier to reject this case").toBeInstanceOf(ProofError);
  else expect(err?.message ?? null, "expected the verifier to accept this case").toBeNull();
}

describe.skipIf(!available)("transparency-dev/merkle reference vectors", () => {
  const inclusion = load<InclusionCase>("inclusion");
  const consistency = load<ConsistencyCase>("consistency");

  it("loads every case (a broken loader must not pass silently)", () => {
    expect(inclusion.length + consistency.length).toBeGreaterThan(150);
    expect(inclusion.length).toBeGreaterThan(50);
    expect(consistency.length).toBeGreaterThan(50);
    for (const cases of [inclusion, consistency]) {
      expect(cases.some((c) => c.data.wantErr)).toBe(true);
      expect(cases.some((c) => !c.data.wantErr)).toBe(true);
    }
  });

  describe("inclusion", () => {
    for (const { name, data } of inclusion) {
      it(name, () => {
        const err = outcome(() =>
          verifyInclusion(
            data.leafIdx,
            data.treeSize,
            b64(data.leafHash),
            (data.proof ?? []).map(b64),
            b64(data.root),
          ),
        );
        expectOutcome(data.wantErr, err);
      });
    }
  });

  describe("consistency", () => {
    for (const { name, data } of consistency) {
      it(name, () => {
        const err = outcome(() =>
          verifyConsistency(
            data.size1,
            data.size2,
            (data.proof ?? []).map(b64),
            b64(data.root1),
            b64(data.root2),
          ),
        );
        expectOutcome(data.wantErr, err);
      });
    }
  });
});

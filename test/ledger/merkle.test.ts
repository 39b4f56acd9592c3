import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CompactRange,
  completedByAppend,
  EMPTY_ROOT,
  entryLeafHash,
  foldRange,
  hashChildren,
  hashLeaf,
  type NodeId,
  nodeKey,
  rangeNodes,
  rootNodes,
} from "../../src/ledger/merkle.ts";
import {
  consistencyPlan,
  inclusionPlan,
  materialize,
  ProofError,
  type ProofPlan,
  planNodes,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from "../../src/ledger/proof.ts";

// ---------------------------------------------------------------------------------------------
// Reference: RFC 9162 §2.1 definitions transcribed literally over an array of leaf hashes. It
// shares nothing with the code under test (its own SHA-256 calls, its own split point), so
// agreement means both read the RFC the same way. A memo keeps it fast without changing it.
// ---------------------------------------------------------------------------------------------

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

const refLeafHash = (data: Uint8Array) => sha256(Buffer.from([0]), data);
const refNodeHash = (l: Uint8Array, r: Uint8Array) => sha256(Buffer.from([1]), l, r);

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function reference(leaves: readonly Buffer[]) {
  const memo = new Map<string, Buffer>();
  const mth = (lo: number, hi: number): Buffer => {
    const key = `${lo}:${hi}`;
    let h = memo.get(key);
    if (h === undefined) {
      if (hi === lo) h = sha256();
      else if (hi - lo === 1) h = leaves[lo]!;
      else {
        const k = lo + splitPoint(hi - lo);
        h = refNodeHash(mth(lo, k), mth(k, hi));
      }
      memo.set(key, h);
    }
    return h;
  };
  // PATH(m, D[lo:hi]) with m absolute.
  const path = (m: number, lo: number, hi: number): Buffer[] => {
    if (hi - lo <= 1) return [];
    const k = lo + splitPoint(hi - lo);
    return m < k ? [...path(m, lo, k), mth(k, hi)] : [...path(m, k, hi), mth(lo, k)];
  };
  // SUBPROOF(m, D[lo:hi], b) with m absolute.
  const subproof = (m: number, lo: number, hi: number, b: boolean): Buffer[] => {
    if (m === hi) return b ? [] : [mth(lo, hi)];
    const k = lo + splitPoint(hi - lo);
    return m <= k ? [...subproof(m, lo, k, b), mth(k, hi)] : [...subproof(m, k, hi, false), mth(lo, k)];
  };
  return {
    root: (size: number) => mth(0, size),
    inclusion: (index: number, size: number) => path(index, 0, size),
    consistency: (m: number, n: number) => (m === 0 || m === n ? [] : subproof(m, 0, n, true)),
  };
}

/** The sibling sides of PATH(index, size): what an inclusion verifier's computation depends on. */
function inclusionShape(index: number, size: number): string {
  let shape = "";
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = lo + splitPoint(hi - lo);
    if (index < k) {
      shape = `R${shape}`;
      hi = k;
    } else {
      shape = `L${shape}`;
      lo = k;
    }
  }
  return shape;
}

/**
 * The SUBPROOF recursion of PROOF(size1, size2) as moves: which sibling each element is, and
 * whether the old subtree itself is sent. The verifier's arithmetic depends only on this.
 */
function consistencyShape(size1: number, size2: number): string {
  if (size1 <= 0 || size1 >= size2) return `trivial ${size1 === size2}`;
  let shape = "";
  let lo = 0;
  let hi = size2;
  let known = true;
  while (size1 !== hi) {
    const k = lo + splitPoint(hi - lo);
    if (size1 <= k) {
      shape = `R${shape}`;
      hi = k;
    } else {
      shape = `L${shape}`;
      lo = k;
      known = false;
    }
  }
  return `${known ? "" : "N"}${shape}`;
}

/** A node table filled the way a database would be: leaf, then completedByAppend in order. */
class NodeTable {
  readonly nodes = new Map<string, Buffer>();
  size = 0;

  append(leafHash: Buffer): void {
    this.nodes.set(nodeKey({ level: 0, index: this.size }), leafHash);
    for (const id of completedByAppend(this.size)) {
      const left = this.get({ level: id.level - 1, index: id.index * 2 });
      const right = this.get({ level: id.level - 1, index: id.index * 2 + 1 });
      this.nodes.set(nodeKey(id), hashChildren(left, right));
    }
    this.size += 1;
  }

  get(id: NodeId): Buffer {
    const h = this.nodes.get(nodeKey(id));
    if (h === undefined) throw new Error(`node ${nodeKey(id)} is not stored`);
    return h;
  }

  /** A getter for a tree of `size`: touching any node completed only later is a planner bug. */
  getterAt(size: number): (id: NodeId) => Buffer {
    return (id) => {
      if ((id.index + 1) * 2 ** id.level > size)
        throw new Error(`node ${nodeKey(id)} is not complete at ${size}`);
      return this.get(id);
    };
  }
}

const leafOf = (i: number) => refLeafHash(Buffer.from(`entry ${i}`));
const MAX = 70;
const LEAVES = Array.from({ length: MAX }, (_, i) => leafOf(i));
const REF = reference(LEAVES);
const TABLE = new NodeTable();
for (const leaf of LEAVES) TABLE.append(leaf);

/** Hex text compares far faster than vitest's deep equality over thousands of Buffers. */
const hex = (hashes: readonly Uint8Array[]) => hashes.map((h) => Buffer.from(h).toString("hex")).join(" ");

function proofFor(plan: ProofPlan, size: number): Buffer[] {
  return materialize(plan, TABLE.getterAt(size));
}

// ---------------------------------------------------------------------------------------------

describe("hashing", () => {
  it("EMPTY_ROOT is SHA-256 of the empty string", () => {
    expect(EMPTY_ROOT.toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("reproduces the RFC 6962 reference roots for the classic eight test leaves", () => {
    const data = [
      "",
      "00",
      "10",
      "2021",
      "3031",
      "40414243",
      "5051525354555657",
      "606162636465666768696a6b6c6d6e6f",
    ];
    const roots = [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    const range = new CompactRange();
    const got = data.map((hex) => {
      range.append(hashLeaf(Buffer.from(hex, "hex")));
      return range.root().toString("hex");
    });
    expect(got).toEqual(roots);
  });

  it("entryLeafHash covers entry bytes then signature, with the leaf prefix", () => {
    const entry = Buffer.from('{"seq":1}');
    const sig = Buffer.alloc(64, 7);
    expect(entryLeafHash(entry, sig)).toEqual(hashLeaf(Buffer.concat([entry, sig])));
    expect(entryLeafHash(entry, sig)).not.toEqual(hashLeaf(entry));
  });

  it("separates leaf and node domains", () => {
    const a = leafOf(1);
    const b = leafOf(2);
    expect(hashChildren(a, b)).toEqual(refNodeHash(a, b));
    expect(hashChildren(a, b)).not.toEqual(hashLeaf(Buffer.concat([a, b])));
  });

  it("gives each node its own hash, whatever its children's length", () => {
    const a = leafOf(1);
    const b = leafOf(2);
    const first = hashChildren(a, b);
    const second = hashChildren(b, a);
    // The one-call path hashes through a shared buffer: earlier results must not change.
    expect(first).toEqual(refNodeHash(a, b));
    expect(second).toEqual(refNodeHash(b, a));
    const short = Buffer.from([1, 2, 3]);
    expect(hashChildren(short, a)).toEqual(refNodeHash(short, a));
  });

  it("foldRange of nothing is a fresh copy of the empty root", () => {
    const folded = foldRange([]);
    expect(folded).toEqual(EMPTY_ROOT);
    folded.fill(0);
    expect(EMPTY_ROOT.toString("hex").startsWith("e3b0c442")).toBe(true);
  });
});

describe("node addressing", () => {
  it("completedByAppend lists the nodes each leaf completes, bottom-up", () => {
    expect(completedByAppend(0)).toEqual([]);
    expect(completedByAppend(1)).toEqual([{ level: 1, index: 0 }]);
    expect(completedByAppend(2)).toEqual([]);
    expect(completedByAppend(3)).toEqual([
      { level: 1, index: 1 },
      { level: 2, index: 0 },
    ]);
    expect(completedByAppend(5)).toEqual([{ level: 1, index: 2 }]);
    expect(completedByAppend(11)).toEqual([
      { level: 1, index: 5 },
      { level: 2, index: 2 },
    ]);
  });

  it("completedByAppend stays exact near 2^53", () => {
    const nodes = completedByAppend(2 ** 52 - 1);
    expect(nodes).toHaveLength(52);
    expect(nodes.at(-1)).toEqual({ level: 52, index: 0 });
    expect(completedByAppend(Number.MAX_SAFE_INTEGER - 1)).toEqual([]);
    expect(() => completedByAppend(Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });

  it("every node is completed exactly once, after both of its children", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 256; i++) {
      seen.add(nodeKey({ level: 0, index: i }));
      for (const id of completedByAppend(i)) {
        expect(seen.has(nodeKey({ level: id.level - 1, index: id.index * 2 }))).toBe(true);
        expect(seen.has(nodeKey({ level: id.level - 1, index: id.index * 2 + 1 }))).toBe(true);
        expect(seen.has(nodeKey(id))).toBe(false);
        seen.add(nodeKey(id));
      }
    }
    // 256 leaves make a perfect tree of 511 nodes.
    expect(seen.size).toBe(511);
  });

  it("rangeNodes follows MTH's split: largest power of two first", () => {
    expect(rootNodes(0)).toEqual([]);
    expect(rootNodes(1)).toEqual([{ level: 0, index: 0 }]);
    expect(rootNodes(8)).toEqual([{ level: 3, index: 0 }]);
    expect(rootNodes(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(4, 7)).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(8, 16)).toEqual([{ level: 3, index: 1 }]);
    expect(rangeNodes(5, 5)).toEqual([]);
  });

  it("rootNodes stays exact at the largest safe size", () => {
    const nodes = rootNodes(Number.MAX_SAFE_INTEGER);
    expect(nodes).toHaveLength(53);
    expect(nodes.map((n) => n.level)).toEqual(Array.from({ length: 53 }, (_, i) => 52 - i));
    let covered = 0;
    for (const n of nodes) {
      expect(n.index * 2 ** n.level).toBe(covered);
      covered += 2 ** n.level;
    }
    expect(covered).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("rejects ranges that are negative, fractional, reversed or unaligned", () => {
    expect(() => rangeNodes(-1, 3)).toThrow(RangeError);
    expect(() => rangeNodes(0, 2.5)).toThrow(RangeError);
    expect(() => rangeNodes(0, Number.NaN)).toThrow(RangeError);
    expect(() => rangeNodes(0, 2 ** 53)).toThrow(RangeError);
    expect(() => rangeNodes(4, 3)).toThrow(RangeError);
    // [1, 3) would need a node covering leaves 1..2, which the tree does not have.
    expect(() => rangeNodes(1, 3)).toThrow(RangeError);
    expect(() => rangeNodes(2, 6)).toThrow(RangeError);
    expect(() => completedByAppend(-1)).toThrow(RangeError);
    expect(() => completedByAppend(0.5)).toThrow(RangeError);
  });
});

describe("CompactRange", () => {
  it("matches the reference root at every size from 0 to 70", () => {
    const range = new CompactRange();
    expect(range.root()).toEqual(REF.root(0));
    for (let n = 1; n <= MAX; n++) {
      range.append(LEAVES[n - 1]!);
      expect(range.size).toBe(n);
      expect(range.root(), `size ${n}`).toEqual(REF.root(n));
    }
  });

  it("returns the hashes of the nodes each append completes, as a store would compute them", () => {
    const range = new CompactRange();
    for (let i = 0; i < MAX; i++) {
      const completed = range.append(LEAVES[i]!);
      expect(completed).toEqual(completedByAppend(i).map((id) => TABLE.get(id)));
    }
  });

  it("keeps exactly the root nodes, and resumes from them", () => {
    for (const size of [0, 1, 5, 13, 32, 63, 70]) {
      const range = new CompactRange();
      for (let i = 0; i < size; i++) range.append(LEAVES[i]!);
      const stored = rootNodes(size).map((id) => TABLE.get(id));
      expect(range.nodeHashes).toEqual(stored);
      const resumed = CompactRange.fromNodes(size, stored);
      for (let i = size; i < MAX; i++) resumed.append(LEAVES[i]!);
      expect(resumed.root()).toEqual(REF.root(MAX));
    }
  });

  it("rejects leaf hashes of the wrong length and node lists of the wrong count", () => {
    const range = new CompactRange();
    expect(() => range.append(Buffer.alloc(31))).toThrow(RangeError);
    expect(() => range.append(Buffer.alloc(33))).toThrow(RangeError);
    expect(range.size).toBe(0);
    expect(() => CompactRange.fromNodes(3, [LEAVES[0]!])).toThrow(RangeError);
    expect(() => CompactRange.fromNodes(2, [Buffer.alloc(16)])).toThrow(RangeError);
  });

  it("refuses to grow past the largest safe size", () => {
    const full = CompactRange.fromNodes(
      Number.MAX_SAFE_INTEGER,
      Array.from({ length: 53 }, (_, i) => leafOf(i)),
    );
    expect(() => full.append(leafOf(99))).toThrow(RangeError);
  });
});

describe("proof generation in every tree of size 0..70", () => {
  it("every inclusion proof equals RFC 9162 PATH and verifies", () => {
    let checked = 0;
    for (let size = 1; size <= MAX; size++) {
      for (let index = 0; index < size; index++) {
        const proof = proofFor(inclusionPlan(index, size), size);
        if (hex(proof) !== hex(REF.inclusion(index, size))) {
          expect(hex(proof), `PATH(${index}, ${size})`).toBe(hex(REF.inclusion(index, size)));
        }
        verifyInclusion(index, size, LEAVES[index]!, proof, REF.root(size));
        if (!rootFromInclusionProof(index, size, LEAVES[index]!, proof).equals(REF.root(size))) {
          expect.fail(`rootFromInclusionProof(${index}, ${size}) differs from the reference root`);
        }
        checked += 1;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it("every consistency proof (size1 <= size2) equals RFC 9162 PROOF and verifies", () => {
    let checked = 0;
    for (let size2 = 0; size2 <= MAX; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const proof = proofFor(consistencyPlan(size1, size2), size2);
        if (hex(proof) !== hex(REF.consistency(size1, size2))) {
          expect(hex(proof), `PROOF(${size1}, ${size2})`).toBe(hex(REF.consistency(size1, size2)));
        }
        verifyConsistency(size1, size2, proof, REF.root(size1), REF.root(size2));
        checked += 1;
      }
    }
    expect(checked).toBe(((MAX + 1) * (MAX + 2)) / 2);
  });

  it("planNodes is the exact, duplicate-free set of nodes a plan touches", () => {
    const problems: string[] = [];
    let plans = 0;
    for (let size2 = 1; size2 <= MAX; size2++) {
      for (let i = 0; i < size2; i++) {
        const cases = [
          {
            name: `inclusion ${i} of ${size2}`,
            plan: inclusionPlan(i, size2),
            want: REF.inclusion(i, size2),
          },
          {
            name: `consistency ${i} -> ${size2}`,
            plan: consistencyPlan(i, size2),
            want: REF.consistency(i, size2),
          },
        ];
        for (const { name, plan, want } of cases) {
          plans += 1;
          const keys = planNodes(plan).map(nodeKey);
          const distinct = [...new Set(plan.flat().map(nodeKey))];
          if (keys.length !== distinct.length || keys.join() !== distinct.join())
            problems.push(`${name}: node set`);
          // One fetch of exactly these nodes must be enough to materialize the proof.
          const fetched = new Map(keys.map((key) => [key, TABLE.nodes.get(key)!]));
          const proof = materialize(plan, (id) => {
            const h = fetched.get(nodeKey(id));
            if (h === undefined) throw new Error(`${name}: ${nodeKey(id)} was not fetched`);
            return h;
          });
          if (hex(proof) !== hex(want)) problems.push(`${name}: proof`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(plans).toBe(MAX * (MAX + 1));
  });

  it("rejects impossible plans with PROOF_OUT_OF_RANGE", () => {
    for (const [index, size] of [
      [0, 0],
      [3, 3],
      [-1, 3],
      [0.5, 3],
      [0, 2 ** 53],
    ] as const) {
      expect(() => inclusionPlan(index, size)).toThrow(
        expect.objectContaining({ code: "PROOF_OUT_OF_RANGE" }),
      );
    }
    expect(() => consistencyPlan(5, 4)).toThrow(expect.objectContaining({ code: "PROOF_OUT_OF_RANGE" }));
    expect(() => consistencyPlan(-1, 4)).toThrow(ProofError);
    expect(consistencyPlan(0, 9)).toEqual([]);
    expect(consistencyPlan(9, 9)).toEqual([]);
  });

  it("materialize refuses stored hashes of the wrong length", () => {
    expect(() => materialize(inclusionPlan(0, 2), () => Buffer.alloc(31))).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Mutations, in the style of transparency-dev/merkle: every altered proof must be rejected.
// ---------------------------------------------------------------------------------------------

type Mutation = { name: string; run: () => void };

const GARBAGE = sha256(Buffer.from("garbage"));

/** Names of mutations the verifier accepted; non-ProofError exceptions propagate as bugs. */
function accepted(mutations: Mutation[]): string[] {
  // Hundreds of thousands of rejections: capturing a stack for each would dominate the run.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return mutations
      .filter((m) => {
        try {
          m.run();
          return true;
        } catch (err) {
          if (!(err instanceof ProofError)) throw err;
          return false;
        }
      })
      .map((m) => m.name);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function flipBit(buf: Uint8Array, bit: number): Buffer {
  const out = Buffer.from(buf);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** "all": every bit; otherwise the first, last and a middle bit, which cover both ends of the hash. */
function bitsToFlip(length: number, mode: "all" | "sample"): number[] {
  if (mode === "all") return Array.from({ length: length * 8 }, (_, i) => i);
  return [0, length * 4 + 3, length * 8 - 1];
}

function listMutations(
  proof: readonly Buffer[],
  bits: "all" | "sample",
): { name: string; proof: Buffer[] }[] {
  const out: { name: string; proof: Buffer[] }[] = [];
  const at = (i: number, ...items: Buffer[]) => [...proof.slice(0, i), ...items, ...proof.slice(i)];
  proof.forEach((p, i) => {
    for (const bit of bitsToFlip(p.length, bits)) {
      out.push({
        name: `flip proof[${i}] bit ${bit}`,
        proof: proof.map((q, j) => (j === i ? flipBit(q, bit) : q)),
      });
    }
    out.push({ name: `drop proof[${i}]`, proof: proof.filter((_, j) => j !== i) });
    out.push({ name: `duplicate proof[${i}]`, proof: at(i, p) });
    out.push({ name: `truncate proof[${i}]`, proof: proof.map((q, j) => (j === i ? q.subarray(0, 31) : q)) });
    out.push({
      name: `extend proof[${i}]`,
      proof: proof.map((q, j) => (j === i ? Buffer.concat([q, Buffer.of(0)]) : q)),
    });
    const next = proof[i + 1];
    if (next !== undefined && !next.equals(p)) {
      const swapped = [...proof];
      swapped[i] = next;
      swapped[i + 1] = p;
      out.push({ name: `swap proof[${i}] and proof[${i + 1}]`, proof: swapped });
    }
  });
  for (let i = 0; i <= proof.length; i++) out.push({ name: `insert hash at ${i}`, proof: at(i, GARBAGE) });
  if (proof.length > 2) out.push({ name: "reverse proof", proof: [...proof].reverse() });
  if (proof.length > 0) out.push({ name: "truncate proof", proof: proof.slice(0, -1) });
  out.push({ name: "empty garbage prefix", proof: [Buffer.alloc(0), ...proof] });
  out.push({ name: "empty garbage suffix", proof: [...proof, Buffer.alloc(0)] });
  out.push({ name: "short garbage suffix", proof: [...proof, Buffer.from("garbage")] });
  return out;
}

function hashMutations(name: string, h: Buffer, bits: "all" | "sample"): { name: string; value: Buffer }[] {
  return [
    ...bitsToFlip(h.length, bits).map((bit) => ({ name: `flip ${name} bit ${bit}`, value: flipBit(h, bit) })),
    { name: `truncated ${name}`, value: h.subarray(0, 31) },
    { name: `extended ${name}`, value: Buffer.concat([h, Buffer.of(0)]) },
    { name: `empty ${name}`, value: Buffer.alloc(0) },
    { name: `garbage ${name}`, value: GARBAGE },
  ];
}

function inclusionMutations(index: number, size: number, bits: "all" | "sample"): Mutation[] {
  const leaf = LEAVES[index]!;
  const root = REF.root(size);
  const proof = proofFor(inclusionPlan(index, size), size);
  const v = (i: number, s: number, l: Buffer, p: Buffer[], r: Buffer) => () => verifyInclusion(i, s, l, p, r);
  const out: Mutation[] = listMutations(proof, bits).map((m) => ({
    name: m.name,
    run: v(index, size, leaf, m.proof, root),
  }));
  for (const m of hashMutations("leaf", leaf, bits))
    out.push({ name: m.name, run: v(index, size, m.value, proof, root) });
  for (const m of hashMutations("root", root, bits))
    out.push({ name: m.name, run: v(index, size, leaf, proof, m.value) });
  const otherLeaf = LEAVES[(index + 1) % MAX]!;
  out.push({ name: "another entry's leaf", run: v(index, size, otherLeaf, proof, root) });
  out.push({ name: "root of size - 1", run: v(index, size, leaf, proof, REF.root(size - 1)) });
  if (size < MAX)
    out.push({ name: "root of size + 1", run: v(index, size, leaf, proof, REF.root(size + 1)) });
  out.push({ name: "empty tree root", run: v(index, size, leaf, proof, EMPTY_ROOT) });
  for (const wrong of new Set([index - 1, index + 1, index ^ 2, size, -1, 0.5, 2 ** 53])) {
    if (wrong !== index) out.push({ name: `index ${wrong}`, run: v(wrong, size, leaf, proof, root) });
  }
  for (const wrong of new Set([size * 2, Math.floor(size / 2), size + 1, size - 1, index, 0, 2 ** 53])) {
    if (wrong === size) continue;
    // An inclusion proof fixes the sibling sides, not the size: leaf 0 of 5 and of 6 have the
    // same shape, so the same hashes verify against either (see the dedicated test below).
    const adjacent = Math.abs(wrong - size) === 1;
    if (adjacent && wrong > index && inclusionShape(index, wrong) === inclusionShape(index, size)) continue;
    out.push({ name: `size ${wrong}`, run: v(index, wrong, leaf, proof, root) });
  }
  return out;
}

function consistencyMutations(size1: number, size2: number, bits: "all" | "sample"): Mutation[] {
  const root1 = REF.root(size1);
  const root2 = REF.root(size2);
  const proof = proofFor(consistencyPlan(size1, size2), size2);
  const v = (s1: number, s2: number, p: Buffer[], r1: Buffer, r2: Buffer) => () =>
    verifyConsistency(s1, s2, p, r1, r2);
  const out: Mutation[] = listMutations(proof, bits).map((m) => ({
    name: m.name,
    run: v(size1, size2, m.proof, root1, root2),
  }));
  for (const m of hashMutations("root1", root1, bits))
    out.push({ name: m.name, run: v(size1, size2, proof, m.value, root2) });
  // From size 0 there is nothing linking the roots: root2 is only checked to be a hash.
  if (size1 > 0) {
    for (const m of hashMutations("root2", root2, bits))
      out.push({ name: m.name, run: v(size1, size2, proof, root1, m.value) });
  } else {
    out.push({ name: "short root2", run: v(size1, size2, proof, root1, root2.subarray(0, 31)) });
  }
  if (!root1.equals(root2)) {
    out.push({ name: "swapped roots", run: v(size1, size2, proof, root2, root1) });
    out.push({ name: "root2 for both", run: v(size1, size2, proof, root2, root2) });
    if (size1 > 0) out.push({ name: "root1 for both", run: v(size1, size2, proof, root1, root1) });
  }
  for (const wrong of new Set([
    size1 - 1,
    size1 + 1,
    size1 ^ 2,
    size1 * 2,
    Math.floor(size1 / 2),
    size2 + 1,
    0.5,
  ])) {
    if (wrong !== size1) out.push({ name: `size1 ${wrong}`, run: v(wrong, size2, proof, root1, root2) });
  }
  for (const wrong of new Set([size2 - 1, size2 + 1, size2 * 2, Math.floor(size2 / 2), 2 ** 53])) {
    if (wrong === size2 || (size1 === 0 && wrong > 0 && Number.isSafeInteger(wrong))) continue;
    // Like inclusion, a consistency proof pins size2 only through its shape: 1 -> 3 and 1 -> 4
    // both send [leaf 1, right subtree], so the same hashes verify against either size.
    const adjacent = Math.abs(wrong - size2) === 1;
    if (adjacent && consistencyShape(size1, wrong) === consistencyShape(size1, size2)) continue;
    out.push({ name: `size2 ${wrong}`, run: v(size1, wrong, proof, root1, root2) });
  }
  return out;
}

/**
 * Which indices (or old sizes) of a tree to mutate: all of them up to 32 leaves, then the
 * edges, the middle and every fifth, which keeps trees of depth 6 and 7 in the sweep at a
 * fraction of the cost of all ~200,000 mutations per kind.
 */
function sweep(size: number): number[] {
  if (size <= 32) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set([0, 1, Math.floor(size / 2), size - 2, size - 1]);
  for (let i = 0; i < size; i += 5) picked.add(i);
  return [...picked].sort((a, b) => a - b);
}

describe("mutated proofs are rejected", () => {
  it("the harness reports an unmutated proof as accepted", () => {
    const proof = proofFor(inclusionPlan(3, 7), 7);
    const identity = { name: "identity", run: () => verifyInclusion(3, 7, LEAVES[3]!, proof, REF.root(7)) };
    const broken = { name: "broken", run: () => verifyInclusion(3, 7, LEAVES[4]!, proof, REF.root(7)) };
    expect(accepted([identity, broken])).toEqual(["identity"]);
  });

  it("inclusion: every mutation of proofs in trees up to 70 (sampled bit flips)", () => {
    let mutations = 0;
    for (let size = 1; size <= MAX; size++) {
      for (const index of sweep(size)) {
        const list = inclusionMutations(index, size, "sample");
        mutations += list.length;
        expect(accepted(list), `leaf ${index} of ${size}`).toEqual([]);
      }
    }
    expect(mutations).toBeGreaterThan(50_000);
  });

  it("inclusion: every bit of every element, leaf and root, in trees up to 10", () => {
    for (let size = 1; size <= 10; size++) {
      for (let index = 0; index < size; index++) {
        expect(accepted(inclusionMutations(index, size, "all")), `leaf ${index} of ${size}`).toEqual([]);
      }
    }
  });

  it("consistency: every mutation of proofs between sizes up to 70 (sampled bit flips)", () => {
    let mutations = 0;
    for (let size2 = 0; size2 <= MAX; size2++) {
      for (const size1 of [...sweep(size2), size2]) {
        const list = consistencyMutations(size1, size2, "sample");
        mutations += list.length;
        expect(accepted(list), `${size1} -> ${size2}`).toEqual([]);
      }
    }
    expect(mutations).toBeGreaterThan(50_000);
  });

  it("consistency: every bit of every element and root, between sizes up to 10", () => {
    for (let size2 = 0; size2 <= 10; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        expect(accepted(consistencyMutations(size1, size2, "all")), `${size1} -> ${size2}`).toEqual([]);
      }
    }
  });

  it("an inclusion proof binds the size only through its shape, so the size must come signed", () => {
    // Leaf 0 has right-hand siblings leaf 1, [2,4) and then [4,5) or [4,6): the same three
    // steps, so a proof against the size-5 root also "verifies" with size 6. Checkpoints sign
    // size and root together, which is why callers must take both from one checkpoint.
    expect(inclusionShape(0, 5)).toBe(inclusionShape(0, 6));
    const proof = proofFor(inclusionPlan(0, 5), 5);
    expect(() => verifyInclusion(0, 6, LEAVES[0]!, proof, REF.root(5))).not.toThrow();
    expect(() => verifyInclusion(0, 6, LEAVES[0]!, proof, REF.root(6))).toThrow(ProofError);
  });

  it("reports why: out of range, malformed, or invalid", () => {
    const proof = proofFor(inclusionPlan(2, 5), 5);
    const root = REF.root(5);
    const code = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return err instanceof ProofError ? err.code : "not a ProofError";
      }
      return "accepted";
    };
    expect(code(() => verifyInclusion(5, 5, LEAVES[2]!, proof, root))).toBe("PROOF_OUT_OF_RANGE");
    expect(code(() => verifyInclusion(2, 5, LEAVES[2]!, proof.slice(1), root))).toBe("PROOF_MALFORMED");
    expect(code(() => verifyInclusion(2, 5, LEAVES[2]!, [...proof, GARBAGE], root))).toBe("PROOF_MALFORMED");
    expect(code(() => verifyInclusion(2, 5, LEAVES[2]!, proof, root.subarray(1)))).toBe("PROOF_MALFORMED");
    expect(code(() => verifyInclusion(2, 5, LEAVES[3]!, proof, root))).toBe("PROOF_INVALID");
    // In a one-leaf tree the leaf is the root, so only the length check stops a short "hash".
    expect(code(() => rootFromInclusionProof(0, 1, Buffer.from("short"), []))).toBe("PROOF_MALFORMED");
    expect(
      code(() => verifyInclusion(0, 1, LEAVES[0]!.subarray(0, 31), [], LEAVES[0]!.subarray(0, 31))),
    ).toBe("PROOF_MALFORMED");
    expect(code(() => verifyConsistency(3, 2, [], root, root))).toBe("PROOF_OUT_OF_RANGE");
    expect(code(() => verifyConsistency(3, 5, [], REF.root(3), root))).toBe("PROOF_MALFORMED");
    expect(code(() => verifyConsistency(0, 0, [], GARBAGE, GARBAGE))).toBe("PROOF_INVALID");
    expect(code(() => verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT))).toBe("accepted");
  });
});

describe("plans and verifiers agree on proof lengths up to 2^53 - 1", () => {
  const sizeArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

  /** Leaves covered by a plan element, as [start, end). */
  const span = (nodes: NodeId[]) => {
    const first = nodes[0]!;
    const last = nodes.at(-1)!;
    return [first.index * 2 ** first.level, (last.index + 1) * 2 ** last.level] as const;
  };

  /** Checks the spans are contiguous per element, within `size`, and tile `expected` exactly. */
  const expectTiling = (plan: ProofPlan, size: number, extra: (readonly [number, number])[]) => {
    for (const element of plan) {
      let at = span(element)[0];
      for (const id of element) {
        expect(id.index * 2 ** id.level).toBe(at);
        at += 2 ** id.level;
      }
      expect(at).toBeLessThanOrEqual(size);
    }
    const spans = [...plan.map(span), ...extra].sort((a, b) => a[0] - b[0]);
    let covered = 0;
    for (const [start, end] of spans) {
      expect(start).toBe(covered);
      covered = end;
    }
    expect(covered).toBe(size);
  };

  it("inclusion plan elements and the leaf tile [0, size); the verifier wants exactly that many", () => {
    fc.assert(
      fc.property(
        sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }))),
        ([size, index]) => {
          const plan = inclusionPlan(index, size);
          expectTiling(plan, size, [[index, index + 1]]);
          const fake = plan.map((_, i) => sha256(Buffer.from([i])));
          expect(rootFromInclusionProof(index, size, GARBAGE, fake)).toHaveLength(32);
          if (fake.length > 0) {
            expect(() => rootFromInclusionProof(index, size, GARBAGE, fake.slice(1))).toThrow(ProofError);
          }
          expect(() => rootFromInclusionProof(index, size, GARBAGE, [...fake, GARBAGE])).toThrow(ProofError);
        },
      ),
    );
  });

  it("consistency plan elements tile [0, size2), minus the old root when size1 is a power of two", () => {
    fc.assert(
      fc.property(
        sizeArb.chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2))),
        ([size1, size2]) => {
          const plan = consistencyPlan(size1, size2);
          if (size1 === size2) {
            expect(plan).toEqual([]);
            return;
          }
          const powerOfTwo = 2 ** Math.round(Math.log2(size1)) === size1;
          expectTiling(plan, size2, powerOfTwo ? [[0, size1]] : []);
          const fake = plan.map((_, i) => sha256(Buffer.from([i])));
          const code = (p: Buffer[]) => {
            try {
              verifyConsistency(size1, size2, p, GARBAGE, EMPTY_ROOT);
              return "accepted";
            } catch (err) {
              return (err as ProofError).code;
            }
          };
          expect(code(fake)).toBe("PROOF_INVALID");
          expect(code([...fake, GARBAGE])).toBe("PROOF_MALFORMED");
          if (fake.length > 1) expect(code(fake.slice(1))).toBe("PROOF_MALFORMED");
        },
      ),
    );
  });
});

describe("properties over random append sequences (fast-check)", () => {
  const leavesArb = (minLength: number) =>
    fc
      .array(fc.uint8Array({ maxLength: 24 }), { minLength, maxLength: 300 })
      .map((data) => data.map(refLeafHash));

  function build(leaves: Buffer[]) {
    const table = new NodeTable();
    const range = new CompactRange();
    for (const leaf of leaves) {
      table.append(leaf);
      range.append(leaf);
    }
    return { table, range, ref: reference(leaves) };
  }

  it("CompactRange root = reference root = foldRange(rootNodes) from appended nodes", () => {
    fc.assert(
      fc.property(leavesArb(0), (leaves) => {
        const { table, range, ref } = build(leaves);
        const expected = ref.root(leaves.length);
        expect(range.root()).toEqual(expected);
        expect(foldRange(rootNodes(leaves.length).map((id) => table.get(id)))).toEqual(expected);
      }),
    );
  });

  const bitTarget = fc.record({ element: fc.nat(), bit: fc.integer({ min: 0, max: 255 }) });

  it("inclusion proofs verify, and any single-bit change to proof, root or leaf is rejected", () => {
    fc.assert(
      fc.property(
        leavesArb(1).chain((leaves) => fc.tuple(fc.constant(leaves), fc.nat(leaves.length - 1))),
        fc.constantFrom("proof", "root", "leaf"),
        bitTarget,
        ([leaves, index], target, { element, bit }) => {
          const { table, ref } = build(leaves);
          const size = leaves.length;
          const leaf = leaves[index]!;
          const root = ref.root(size);
          const proof = materialize(inclusionPlan(index, size), table.getterAt(size));
          expect(proof).toEqual(ref.inclusion(index, size));
          verifyInclusion(index, size, leaf, proof, root);

          if (target === "proof" && proof.length === 0) return;
          const mutated = { proof, root, leaf };
          if (target === "proof") {
            const i = element % proof.length;
            mutated.proof = proof.map((p, j) => (j === i ? flipBit(p, bit) : p));
          } else if (target === "root") mutated.root = flipBit(root, bit);
          else mutated.leaf = flipBit(leaf, bit);
          expect(() => verifyInclusion(index, size, mutated.leaf, mutated.proof, mutated.root)).toThrow(
            ProofError,
          );
        },
      ),
    );
  });

  it("consistency proofs verify, and any single-bit change to proof or roots is rejected", () => {
    fc.assert(
      fc.property(
        leavesArb(0).chain((leaves) =>
          fc.tuple(
            fc.constant(leaves),
            fc.nat(leaves.length).chain((size2) => fc.tuple(fc.nat(size2), fc.constant(size2))),
          ),
        ),
        fc.constantFrom("proof", "root1", "root2"),
        bitTarget,
        ([leaves, [size1, size2]], target, { element, bit }) => {
          const { table, ref } = build(leaves);
          const root1 = ref.root(size1);
          const root2 = ref.root(size2);
          const proof = materialize(consistencyPlan(size1, size2), table.getterAt(size2));
          expect(proof).toEqual(ref.consistency(size1, size2));
          verifyConsistency(size1, size2, proof, root1, root2);

          if (target === "proof" && proof.length === 0) return;
          // From size 0 only root1 is constrained (it must be the empty root).
          if (target === "root2" && size1 === 0 && size2 > 0) return;
          const mutated = { proof, root1, root2 };
          if (target === "proof") {
            const i = element % proof.length;
            mutated.proof = proof.map((p, j) => (j === i ? flipBit(p, bit) : p));
          } else if (target === "root1") mutated.root1 = flipBit(root1, bit);
          else mutated.root2 = flipBit(root2, bit);
          expect(() => verifyConsistency(size1, size2, mutated.proof, mutated.root1, mutated.root2)).toThrow(
            ProofError,
          );
        },
      ),
    );
  });
});

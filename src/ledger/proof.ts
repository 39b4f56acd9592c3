import {
  EMPTY_ROOT,
  foldRange,
  HASH_SIZE,
  hashChildren,
  type NodeId,
  nodeKey,
  rangeNodes,
} from "./merkle.ts";

/**
 * RFC 9162 inclusion and consistency proofs.
 *
 * Generation is a plan (which stored perfect-subtree nodes make up each proof element) and a
 * materialization (fold them), so a database can fetch every node a proof needs in one query.
 * Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2, with the stricter input checks of
 * transparency-dev/merkle: every hash must be exactly 32 bytes and the proof exactly as long
 * as the sizes imply.
 */

export type ProofErrorCode =
  /** An index or size is negative, not a safe integer, or out of order (index ≥ size, size1 > size2). */
  | "PROOF_OUT_OF_RANGE"
  /** A hash has the wrong length, or the proof has the wrong number of elements. */
  | "PROOF_MALFORMED"
  /** Well-formed, but the hashes do not recompute to the claimed root(s). */
  | "PROOF_INVALID";

export class ProofError extends Error {
  readonly code: ProofErrorCode;

  constructor(code: ProofErrorCode, message: string) {
    super(message);
    this.name = "ProofError";
    this.code = code;
  }
}

/** Each element is the list of perfect subtrees whose foldRange is that proof element. */
export type ProofPlan = NodeId[][];

type Range = readonly [start: number, end: number];

export function inclusionPlan(index: number, size: number): ProofPlan {
  requireCount(index, "index");
  requireCount(size, "size");
  if (index >= size) throw new ProofError("PROOF_OUT_OF_RANGE", `index ${index} is not below size ${size}`);
  const ranges: Range[] = [];
  inclusionPath(index, 0, size, ranges);
  return ranges.map(([start, end]) => rangeNodes(start, end));
}

/** RFC 9162 PATH(m, D[lo:hi]): the sibling subtrees from the leaf up to the root. */
function inclusionPath(index: number, lo: number, hi: number, out: Range[]): void {
  if (hi - lo <= 1) return;
  const mid = lo + largestPowerOfTwoBelow(hi - lo);
  if (index < mid) {
    inclusionPath(index, lo, mid, out);
    out.push([mid, hi]);
  } else {
    inclusionPath(index, mid, hi, out);
    out.push([lo, mid]);
  }
}

/** Empty when size1 is 0 or equals size2: there is nothing to prove beyond the roots. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  requireCount(size1, "size1");
  requireCount(size2, "size2");
  if (size1 > size2) throw new ProofError("PROOF_OUT_OF_RANGE", `size1 ${size1} exceeds size2 ${size2}`);
  const ranges: Range[] = [];
  if (size1 > 0 && size1 < size2) subproof(size1, 0, size2, true, ranges);
  return ranges.map(([start, end]) => rangeNodes(start, end));
}

/**
 * RFC 9162 SUBPROOF(m, D[lo:hi], b), with m counted from 0 rather than from lo. `known` is b:
 * whether the verifier already holds the hash of [lo, lo+m) (true only while descending the
 * left edge, where that subtree is the old root itself).
 */
function subproof(size1: number, lo: number, hi: number, known: boolean, out: Range[]): void {
  if (size1 === hi) {
    if (!known) out.push([lo, hi]);
    return;
  }
  const mid = lo + largestPowerOfTwoBelow(hi - lo);
  if (size1 <= mid) {
    subproof(size1, lo, mid, known, out);
    out.push([mid, hi]);
  } else {
    subproof(size1, mid, hi, false, out);
    out.push([lo, mid]);
  }
}

/** Every node a plan needs, each once, in first-use order: the key set for one query. */
export function planNodes(plan: ProofPlan): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const element of plan) {
    for (const id of element) {
      const key = nodeKey(id);
      if (!seen.has(key)) seen.set(key, id);
    }
  }
  return [...seen.values()];
}

export function materialize(plan: ProofPlan, get: (id: NodeId) => Buffer): Buffer[] {
  return plan.map((element) => {
    const hashes = element.map((id) => {
      const h = get(id);
      if (h.length !== HASH_SIZE) {
        throw new RangeError(`node ${nodeKey(id)} has a ${h.length}-byte hash, want ${HASH_SIZE}`);
      }
      return h;
    });
    return foldRange(hashes);
  });
}

/** RFC 9162 §2.1.3.2: the root implied by an inclusion proof. Throws if it is malformed. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  requireCount(index, "index");
  requireCount(size, "size");
  if (index >= size) throw new ProofError("PROOF_OUT_OF_RANGE", `index ${index} is not below size ${size}`);
  requireHash(leafHash, "leaf hash");
  requireHashes(proof);

  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) throw tooLong(proof.length, `inclusion of ${index} in size ${size}`);
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      // On the right edge of an unbalanced tree, levels where this node has no sibling are
      // skipped (RFC 9162: shift until LSB(fn) is set or fn is 0).
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw tooShort(proof.length, `inclusion of ${index} in size ${size}`);
  return r;
}

export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  requireHash(root, "root");
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!computed.equals(root)) {
    throw new ProofError(
      "PROOF_INVALID",
      `inclusion proof for leaf ${index} does not lead to the root of size ${size}`,
    );
  }
}

/** RFC 9162 §2.1.4.2, plus the degenerate cases (size1 = 0 or size1 = size2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  requireCount(size1, "size1");
  requireCount(size2, "size2");
  if (size1 > size2) throw new ProofError("PROOF_OUT_OF_RANGE", `size1 ${size1} exceeds size2 ${size2}`);

  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError("PROOF_MALFORMED", "equal sizes need an empty proof");
    // The empty tree has exactly one root; any other value claimed for it is false.
    if (size1 === 0 && !(bytesEqual(root1, EMPTY_ROOT) && bytesEqual(root2, EMPTY_ROOT))) {
      throw new ProofError("PROOF_INVALID", "a tree of size 0 has only the empty root");
    }
    if (!bytesEqual(root1, root2))
      throw new ProofError("PROOF_INVALID", `roots differ at equal size ${size1}`);
    return;
  }

  if (size1 === 0) {
    // Every tree extends the empty one, so nothing is proven beyond both roots being roots.
    if (proof.length > 0)
      throw new ProofError("PROOF_MALFORMED", "consistency from size 0 needs an empty proof");
    if (!bytesEqual(root1, EMPTY_ROOT))
      throw new ProofError("PROOF_INVALID", "a tree of size 0 has only the empty root");
    requireHash(root2, "root2");
    return;
  }

  requireHash(root1, "root1");
  requireHash(root2, "root2");
  if (proof.length === 0)
    throw new ProofError("PROOF_MALFORMED", `consistency ${size1} -> ${size2} needs a proof`);
  requireHashes(proof);

  // When size1 is a power of two the old root is a node of the new tree, so RFC 9162 leaves it
  // out of the proof and the verifier starts from it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw tooLong(proof.length, `consistency ${size1} -> ${size2}`);
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw tooShort(proof.length, `consistency ${size1} -> ${size2}`);
  if (!fr.equals(root1))
    throw new ProofError("PROOF_INVALID", `consistency proof does not lead to root1 (size ${size1})`);
  if (!sr.equals(root2))
    throw new ProofError("PROOF_INVALID", `consistency proof does not lead to root2 (size ${size2})`);
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  let m = n;
  while (m > 1 && m % 2 === 0) m /= 2;
  return m === 1;
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162's split point k. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function requireCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ProofError("PROOF_OUT_OF_RANGE", `${what} must be a non-negative safe integer, got ${n}`);
  }
}

function requireHash(h: Uint8Array, what: string): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    const got = h instanceof Uint8Array ? `${h.length} bytes` : typeof h;
    throw new ProofError("PROOF_MALFORMED", `${what} must be ${HASH_SIZE} bytes, got ${got}`);
  }
}

function requireHashes(proof: readonly Uint8Array[]): void {
  for (const [i, p] of proof.entries()) requireHash(p, `proof[${i}]`);
}

function tooLong(length: number, what: string): ProofError {
  return new ProofError("PROOF_MALFORMED", `proof for ${what} is too long (${length} elements)`);
}

function tooShort(length: number, what: string): ProofError {
  return new ProofError("PROOF_MALFORMED", `proof for ${what} is too short (${length} elements)`);
}

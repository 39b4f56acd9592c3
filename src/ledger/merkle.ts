import { createHash, hash } from "node:crypto";

/**
 * RFC 9162 Merkle tree hashing and the addressing of stored nodes.
 *
 * Indices are plain numbers. Bitwise operators truncate to 32 bits, so every computation
 * here uses arithmetic (% 2, / 2, * 2), which stays exact up to 2^53.
 */

export const HASH_SIZE = 32;

export const EMPTY_ROOT: Buffer = createHash("sha256").digest();

/** A perfect subtree covering leaves [index·2^level, (index+1)·2^level); level 0 is a leaf. */
export type NodeId = { level: number; index: number };

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export function hashLeaf(data: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(data).digest();
}

/** The leaf hash of a ledger entry: the signature is covered so it cannot be swapped later. */
export function entryLeafHash(entryBytes: Uint8Array, signature: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(entryBytes).update(signature).digest();
}

/** NODE_PREFIX ‖ left ‖ right, filled afresh for each node: hashing is synchronous, so one buffer serves all. */
const nodeInput = Buffer.concat([NODE_PREFIX, Buffer.alloc(2 * HASH_SIZE)]);

/**
 * crypto.hash (Node 20.12 and later) hashes in one call, without making a Hash object: a tree
 * of n leaves hashes n − 1 nodes to be verified, and each append folds a dozen into its root.
 */
const sha256 = typeof hash === "function" ? (data: Buffer) => hash("sha256", data, "buffer") : null;

export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (sha256 === null || left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

/**
 * Nodes of level ≥ 1 completed by appending leaf `leafIndex`, bottom-up: each one's children
 * already exist when it is reached, so a store can compute and insert them in order.
 */
export function completedByAppend(leafIndex: number): NodeId[] {
  requireCount(leafIndex, "leafIndex");
  // The tree would then hold 2^53 leaves, a size no longer exact as a number.
  if (leafIndex >= Number.MAX_SAFE_INTEGER)
    throw new RangeError(`leafIndex ${leafIndex} is past the last safe size`);
  const nodes: NodeId[] = [];
  // Node (level, i) completes exactly when (leafIndex + 1) is a multiple of 2^level.
  let covered = leafIndex + 1;
  let level = 0;
  while (covered % 2 === 0) {
    covered /= 2;
    level += 1;
    nodes.push({ level, index: covered - 1 });
  }
  return nodes;
}

/**
 * The perfect subtrees that make up [start, end), left to right, as RFC 9162's MTH splits it:
 * the largest power of two strictly below the length goes left, the rest right. Only ranges
 * whose start is aligned to their largest piece map onto stored nodes; every range that occurs
 * in a tree head or proof is of that shape, anything else is a caller bug.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  requireCount(start, "start");
  requireCount(end, "end");
  if (end < start) throw new RangeError(`range end ${end} is before start ${start}`);
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    const { width, level } = largestPowerOfTwoAtMost(end - at);
    if (at % width !== 0) {
      throw new RangeError(`range [${start}, ${end}) is not aligned to the tree's subtrees`);
    }
    nodes.push({ level, index: at / width });
    at += width;
  }
  return nodes;
}

export function rootNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}

/**
 * The RFC 9162 hash of a range from its perfect subtrees, left to right. MTH puts the largest
 * power of two on the left and recurses on the right, so the fold runs right to left.
 */
export function foldRange(nodes: readonly Uint8Array[]): Buffer {
  const last = nodes.at(-1);
  // A copy: callers own what they get back, and EMPTY_ROOT must stay intact.
  if (last === undefined) return Buffer.from(EMPTY_ROOT);
  let acc: Buffer = Buffer.from(last);
  for (let i = nodes.length - 2; i >= 0; i--) acc = hashChildren(nodes[i]!, acc);
  return acc;
}

/**
 * Streaming root computation in O(log n) memory: keeps only the roots of the perfect subtrees
 * that decompose [0, size), i.e. the hashes of rootNodes(size).
 */
export class CompactRange {
  #size = 0;
  #hashes: Buffer[] = [];

  /** Resume from stored node hashes: `hashes` are those of rootNodes(size), left to right. */
  static fromNodes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    const expected = rootNodes(size).length;
    if (hashes.length !== expected) {
      throw new RangeError(`a tree of size ${size} has ${expected} root nodes, got ${hashes.length}`);
    }
    const range = new CompactRange();
    for (const h of hashes) range.#hashes.push(Buffer.from(requireHash(h, "node hash")));
    range.#size = size;
    return range;
  }

  get size(): number {
    return this.#size;
  }

  /** Hashes of rootNodes(size), left to right (copies). */
  get nodeHashes(): Buffer[] {
    return this.#hashes.map((h) => Buffer.from(h));
  }

  /**
   * Appends a leaf hash. Returns the hashes of the nodes this completes, in the same order as
   * completedByAppend(size before the append), so a store can persist them without re-reading.
   */
  append(leafHash: Uint8Array): Buffer[] {
    requireHash(leafHash, "leaf hash");
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new RangeError("tree size would exceed 2^53 - 1");
    const completed: Buffer[] = [];
    let right: Buffer = Buffer.from(leafHash);
    // Each trailing 1 bit of the old size is a perfect subtree of the new leaf's width.
    for (let carry = this.#size; carry % 2 === 1; carry = (carry - 1) / 2) {
      const left = this.#hashes.pop()!;
      right = hashChildren(left, right);
      // A copy, so a caller writing into what it was given cannot corrupt this range.
      completed.push(Buffer.from(right));
    }
    this.#hashes.push(right);
    this.#size += 1;
    return completed;
  }

  root(): Buffer {
    return foldRange(this.#hashes);
  }
}

function largestPowerOfTwoAtMost(n: number): { width: number; level: number } {
  let width = 1;
  let level = 0;
  while (width * 2 <= n) {
    width *= 2;
    level += 1;
  }
  return { width, level };
}

function requireCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
  }
}

function requireHash(h: Uint8Array, what: string): Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new RangeError(`${what} must be ${HASH_SIZE} bytes`);
  }
  return h;
}

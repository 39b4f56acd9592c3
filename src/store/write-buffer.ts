import type { CompiledQuery, QueryResult } from "kysely";
import { PREPARE_MARK } from "./dialect.ts";
import { COMMIT, pipelined } from "./pipeline.ts";
import type { StatementRunner } from "./schema.ts";

/** PostgreSQL takes at most 65,535 parameters in one statement. */
const PARAMETERS_AT_MOST = 30_000;

/**
 * The inserts of an append transaction on PostgreSQL, held back and sent as one statement:
 * each becomes a data-modifying WITH query, and a final SELECT (the commit notice) the main
 * query. Appends to one dispute take turns on its lock, and every round trip made while holding
 * it is one the other processes wait for: the entries, their timeline rows, the tree's nodes,
 * the checkpoint and the notice were five round trips, and are one.
 *
 * Only INSERTs are held. The queries of one statement all see the tables as they were before
 * it, so nothing that must see a held row (an UPDATE of it, a read) may join them: the caller
 * sends what is held first (`send`). Any other statement given to `executeQuery` is sent at
 * once, as the main query after the held inserts.
 */
export class WriteBuffer {
  private held: CompiledQuery[] = [];
  private parameters = 0;

  constructor(private readonly db: StatementRunner) {}

  /** Holds an INSERT; sends anything else at once, after what is held. */
  async executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> {
    const insert = /^insert\s/i.test(unmarked(query.sql));
    if (insert && this.parameters + query.parameters.length > PARAMETERS_AT_MOST) await this.send();
    if (insert) {
      this.held.push(query);
      this.parameters += query.parameters.length;
      return { rows: [] };
    }
    return this.send(query);
  }

  /** Sends what is held (and `main`, if given, as the statement's main query). */
  async send<R>(main?: CompiledQuery<R>): Promise<QueryResult<R>> {
    const statement = this.take(main);
    return statement ? this.db.executeQuery(statement) : { rows: [] };
  }

  /**
   * Sends what is held (and `main`) and the transaction's COMMIT together (pipeline.ts): the
   * server commits as soon as the writes are in, without waiting for this process to read their
   * answer. If the writes fail, the COMMIT rolls back and this fails with their error.
   */
  async commit(main?: CompiledQuery): Promise<void> {
    const statement = this.take(main);
    await this.db.executeQuery(pipelined(statement ? [statement, COMMIT] : [COMMIT]));
  }

  /** What is held (and `main`) as one statement, and nothing held any more. */
  private take<R>(main?: CompiledQuery<R>): CompiledQuery<R> | null {
    const parts = this.held;
    this.held = [];
    this.parameters = 0;
    if (parts.length === 0) return main ?? null;
    if (parts.length === 1 && !main) return parts[0] as CompiledQuery<R>;
    const all = main ? [...parts, main] : parts;
    const parameters: unknown[] = [];
    for (const q of all) parameters.push(...q.parameters);
    return { ...(main ?? parts[0]!), sql: combined(all, !main), parameters } as CompiledQuery<R>;
  }
}

/**
 * The text of one statement made of `queries`, each but the last (or each, when `insertsOnly`)
 * a WITH query. A transaction's statements come in a few shapes (an insert per number of rows),
 * so the texts are kept, in a tree keyed by each part's text, whose strings hash once.
 */
function combined(queries: readonly CompiledQuery[], insertsOnly: boolean): string {
  let node = insertsOnly ? combinedTexts.insertsOnly : combinedTexts.withMain;
  for (const q of queries) {
    let next = node.next.get(q.sql);
    if (!next) {
      next = { next: new Map(), text: null };
      node.next.set(q.sql, next);
    }
    node = next;
  }
  if (node.text === null) {
    if (++combinedTexts.count > COMBINED_TEXTS_AT_MOST) combinedTexts = freshTexts();
    node.text = combine(queries, insertsOnly);
  }
  return node.text;
}

function combine(queries: readonly CompiledQuery[], insertsOnly: boolean): string {
  let offset = 0;
  const texts = queries.map((q) => {
    const from = offset;
    offset += q.parameters.length;
    // Kysely writes parameters as $1..$n and values never appear in the text, so each
    // part's numbers move up past the parts before it.
    return unmarked(q.sql).replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + from}`);
  });
  const withs = insertsOnly ? texts : texts.slice(0, -1);
  const last = insertsOnly ? "SELECT 1" : texts[texts.length - 1]!;
  const text = `WITH ${withs.map((text, i) => `w${i} AS (${text})`).join(", ")} ${last}`;
  // Made of parts that are each one of a few shapes, the whole is one of a few too, and is
  // prepared in its turn: PostgreSQL took half as long again to parse and plan the write
  // statement of a group commit as to run it, with the dispute's lock held all the while.
  return queries.every((q) => q.sql.startsWith(PREPARE_MARK)) ? PREPARE_MARK + text : text;
}

interface TextNode {
  next: Map<string, TextNode>;
  text: string | null;
}
/** Enough for every shape a server's group commits make; past it, the tree starts afresh. */
const COMBINED_TEXTS_AT_MOST = 1_000;
const freshTexts = () => ({
  insertsOnly: { next: new Map(), text: null } as TextNode,
  withMain: { next: new Map(), text: null } as TextNode,
  count: 0,
});
let combinedTexts = freshTexts();

function unmarked(sql: string): string {
  return sql.startsWith(PREPARE_MARK) ? sql.slice(PREPARE_MARK.length) : sql;
}

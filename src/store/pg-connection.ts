import type { Writable } from "node:stream";
import type { CompiledQuery } from "kysely";
import type pg from "pg";
import { PREPARE_MARK } from "./dialect.ts";
import { PIPELINE_MARK, type PipelinedAnswer } from "./pipeline.ts";

/**
 * How Parley's statements go out on a node-postgres connection. The client's `query` is wrapped
 * where the pool makes the client, since Kysely has no say in how a statement is sent:
 * statements marked with `preparedOnce` (dialect.ts) go as named prepared statements, each
 * connection naming its own by their text (pg parses each name once, then only binds), and a
 * `pipelined` statement (pipeline.ts) goes as the statements it stands for.
 *
 * node-postgres writes each protocol message of a statement (parse, bind, describe, execute,
 * sync) to the socket on its own: a system call each, and as many wake-ups of the server
 * reading them. The socket is corked while a call sends, so what it sends leaves in one write.
 */
export function wrapClientQuery(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  const connection = (client as unknown as { connection: PgConnection }).connection;
  const socket = connection.stream;
  const prepared = new PreparedNames();
  const send = (text: string, values: unknown, ...rest: unknown[]) =>
    text.startsWith(PREPARE_MARK)
      ? query({ name: prepared.nameOf(text), text, values }, ...rest)
      : query(text, values, ...rest);
  /**
   * A COMMIT sent inside a pipeline ends the transaction there; the commit Kysely sends when the
   * transaction's work returns is answered with that COMMIT's own answer (a ROLLBACK tag if the
   * transaction had failed, which Kysely reports), and a rollback with nothing to roll back.
   */
  let ended: Promise<pg.QueryResult> | null = null;
  /**
   * A BEGIN is held back and sent with the transaction's first statement: its own round trip
   * would cost a write, a wake-up of the server and a read, for an answer that is never in doubt
   * (whatever would make it fail makes the statement behind it fail too).
   */
  let beginHeld = false;
  const sendAny = (text: unknown, values: unknown, ...rest: unknown[]) => {
    if (text === "begin") {
      beginHeld = true;
      return Promise.resolve({ command: "BEGIN", rows: [], rowCount: null });
    }
    if (beginHeld) {
      beginHeld = false;
      // A transaction that sent nothing has nothing to end.
      if (text === "commit" || text === "rollback") {
        return Promise.resolve({ command: text.toUpperCase(), rows: [], rowCount: null });
      }
      // Between transactions, nothing can be using a statement this connection dropped.
      for (const name of prepared.dropped()) {
        query(`DEALLOCATE ${name}`).catch(() => {});
        delete connection.parsedStatements[name];
      }
      query("begin").catch(() => {});
    }
    if (text === PIPELINE_MARK) {
      const sent = (values as CompiledQuery[][])[0]!.map((q) => {
        const answer = send(q.sql, [...q.parameters]);
        if (q.sql === "commit") ended = answer;
        return answer;
      });
      return answered(sent);
    }
    if (ended && (text === "commit" || text === "rollback")) {
      const answer = text === "commit" ? ended : ended.catch(() => ({ command: "ROLLBACK", rows: [] }));
      ended = null;
      return answer;
    }
    return typeof text === "string" ? send(text, values, ...rest) : query(text, values, ...rest);
  };
  (client as { query: unknown }).query = (...args: unknown[]) => {
    socket.cork();
    try {
      return sendAny(...(args as [unknown, unknown]));
    } finally {
      socket.uncork();
    }
  };
}

/** A pipeline's answer: every statement's, or the first failure once all have answered. */
async function answered(
  sent: Promise<pg.QueryResult>[],
): Promise<{ command: string; rows: PipelinedAnswer[] }> {
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return {
    command: "SELECT",
    rows: settled.map((s) => {
      const r = (s as PromiseFulfilledResult<pg.QueryResult>).value;
      return { command: r.command, rows: r.rows };
    }),
  };
}

/** What of node-postgres' connection this reaches into. */
interface PgConnection {
  stream: Writable;
  /** The statements node-postgres knows this connection has prepared, by name. */
  parsedStatements: Record<string, string>;
}

/**
 * How many statements one connection keeps prepared. Each costs PostgreSQL some 70 KB of the
 * connection's memory, and the append transaction's write statement (write-buffer.ts) takes a
 * new shape for each number of entries and tree nodes: a server under a changing load meets
 * more of them over the weeks than it needs at any one time.
 */
export const PREPARED_PER_CONNECTION = 64;

/**
 * The names of one connection's prepared statements, least recently used first. Past
 * PREPARED_PER_CONNECTION the least recently used is dropped: it is deallocated before the
 * connection's next transaction begins (DEALLOCATE fails inside a failed transaction), and if
 * its text comes back meanwhile it is prepared again under a new name, so that a name is never
 * parsed twice on one connection.
 */
class PreparedNames {
  private readonly byText = new Map<string, string>();
  private readonly toDrop: string[] = [];
  private made = 0;

  nameOf(text: string): string {
    let name = this.byText.get(text);
    if (name !== undefined) {
      // Most recently used goes last.
      this.byText.delete(text);
      this.byText.set(text, name);
      return name;
    }
    // Unique on this connection, whatever was dropped before: the text is the key, not the name.
    name = `parley_${(this.made++).toString(36)}`;
    this.byText.set(text, name);
    if (this.byText.size > PREPARED_PER_CONNECTION) {
      const [oldest, oldName] = this.byText.entries().next().value as [string, string];
      this.byText.delete(oldest);
      this.toDrop.push(oldName);
    }
    return name;
  }

  /** The names dropped since last asked, to deallocate. */
  dropped(): string[] {
    return this.toDrop.splice(0);
  }
}

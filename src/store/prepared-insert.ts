import type { CompiledQuery, Kysely } from "kysely";
import { isSqlite, preparedOnce } from "./dialect.ts";
import type { Database, StatementRunner } from "./schema.ts";

/** A marker no caller's value can equal: it names the row and column whose value goes there. */
const MARK = "\u0000parley-parameter\u0000";
/** SQLite binds at most 32,766 parameters per statement; stay well under it. */
const PARAMETERS_PER_STATEMENT = 4800;
/** On PostgreSQL, inserts of up to this many rows are prepared once per connection (dialect.ts). */
const PREPARED_ROWS_AT_MOST = 64;

/**
 * An INSERT that Kysely compiles once per number of rows, into the dialect's own SQL, and
 * that then runs with new values as often as needed. Building and compiling a query costs
 * about as much as SQLite takes to run a one-row insert, and the append path runs several
 * inserts per entry, so it compiles once and only binds values after that.
 */
export class PreparedInsert<T extends object> {
  private readonly byCount = new Map<number, { compiled: CompiledQuery; slots: [number, keyof T][] }>();
  private readonly rowsPerStatement: number;
  /** SQLite keeps each distinct statement prepared; PostgreSQL is sent its text every time. */
  private readonly fewShapes: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly table: keyof Database & string,
    private readonly columns: readonly (keyof T & string)[],
  ) {
    this.rowsPerStatement = Math.floor(PARAMETERS_PER_STATEMENT / columns.length);
    this.fewShapes = isSqlite(db as Kysely<unknown>);
  }

  async run(db: StatementRunner, rows: readonly T[]): Promise<void> {
    let from = 0;
    while (from < rows.length) {
      // On SQLite, full statements and then the rest in powers of two: a handful of statements
      // per table are ever compiled and prepared, however the batch sizes vary. On PostgreSQL
      // every statement is a round trip to the server, which costs more than a new shape.
      const left = rows.length - from;
      const count =
        left >= this.rowsPerStatement
          ? this.rowsPerStatement
          : this.fewShapes
            ? 2 ** Math.floor(Math.log2(left))
            : left;
      const { compiled, slots } = this.statement(count);
      const parameters = slots.map(([row, column]) => rows[from + row]![column]);
      await db.executeQuery({ ...compiled, parameters });
      from += count;
    }
  }

  private statement(count: number) {
    let s = this.byCount.get(count);
    if (!s) {
      const markers = Array.from({ length: count }, (_, row) =>
        Object.fromEntries(this.columns.map((c) => [c, `${MARK}${row}${MARK}${c}`])),
      );
      const built = this.db
        .insertInto(this.table)
        .values(markers as never)
        .compile();
      // The sizes a group commit produces are prepared on PostgreSQL; a batch's large ones are not.
      const compiled = !this.fewShapes && count <= PREPARED_ROWS_AT_MOST ? preparedOnce(built) : built;
      const slots = compiled.parameters.map((p): [number, keyof T] => {
        const [, row, column] = String(p).split(MARK);
        if (row === undefined || column === undefined) throw new Error(`unexpected parameter ${String(p)}`);
        return [Number(row), column as keyof T];
      });
      s = { compiled, slots };
      this.byCount.set(count, s);
    }
    return s;
  }
}

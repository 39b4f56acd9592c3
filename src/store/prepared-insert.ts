import type { CompiledQuery, Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** A marker no caller's value can equal: it names the row and column whose value goes there. */
const MARK = "\u0000parley-parameter\u0000";
/** SQLite binds at most 32,766 parameters per statement; stay well under it. */
const PARAMETERS_PER_STATEMENT = 4800;

type Executor = Pick<Kysely<Database>, "executeQuery">;

/**
 * An INSERT that Kysely compiles once per number of rows, into the dialect's own SQL, and
 * that then runs with new values as often as needed. Building and compiling a query costs
 * about as much as SQLite takes to run a one-row insert, and the append path runs several
 * inserts per entry, so it compiles once and only binds values after that.
 */
export class PreparedInsert<T extends object> {
  private readonly byCount = new Map<number, { compiled: CompiledQuery; slots: [number, keyof T][] }>();
  private readonly rowsPerStatement: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly table: keyof Database & string,
    private readonly columns: readonly (keyof T & string)[],
  ) {
    this.rowsPerStatement = Math.floor(PARAMETERS_PER_STATEMENT / columns.length);
  }

  async run(db: Executor, rows: readonly T[]): Promise<void> {
    for (let from = 0; from < rows.length; from += this.rowsPerStatement) {
      const part = rows.slice(from, from + this.rowsPerStatement);
      const { compiled, slots } = this.statement(part.length);
      const parameters = slots.map(([row, column]) => part[row]![column]);
      await db.executeQuery({ ...compiled, parameters });
    }
  }

  private statement(count: number) {
    let s = this.byCount.get(count);
    if (!s) {
      const markers = Array.from({ length: count }, (_, row) =>
        Object.fromEntries(this.columns.map((c) => [c, `${MARK}${row}${MARK}${c}`])),
      );
      const compiled = this.db
        .insertInto(this.table)
        .values(markers as never)
        .compile();
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

import type { CompiledQuery } from "kysely";

/**
 * A query Kysely builds and compiles once, with stand-ins for its numeric values, and that is
 * then only bound to new values. Building and compiling a query with Kysely costs tens of
 * microseconds, a share worth saving on the paths every append takes (see also
 * prepared-insert.ts, which does the same for inserts).
 */
export function boundQuery<K extends string, R>(
  keys: readonly K[],
  build: (values: Record<K, number>) => { compile(): CompiledQuery<R> },
): (values: Record<K, number>) => CompiledQuery<R> {
  // Values no caller passes: each parameter that equals one is that key's value.
  const standIns = Object.fromEntries(keys.map((k, i) => [k, STAND_IN - i])) as Record<K, number>;
  const compiled = build(standIns).compile();
  const slots = compiled.parameters.map((p) => keys.find((k) => standIns[k] === p) ?? null);
  for (const k of keys) {
    if (!slots.includes(k)) throw new Error(`the query does not use its value ${k}`);
  }
  return (values) => ({
    ...compiled,
    parameters: slots.map((k, i) => (k === null ? compiled.parameters[i] : values[k])),
  });
}

const STAND_IN = -7_364_529_101;

import type { z } from "zod";
import { fail } from "../domain/errors.ts";

/**
 * Input checked against its schema, or VALIDATION_FAILED naming the first field that is wrong
 * (and, in details, every one): the one way the services read what a caller sent.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  fail("VALIDATION_FAILED", issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : undefined, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

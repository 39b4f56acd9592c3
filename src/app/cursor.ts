import type { z } from "zod";

/**
 * Paging cursors: a small JSON object, base64url-encoded so clients treat it as opaque, and
 * checked against its schema when it comes back (a cursor is client input like any other).
 */
export function opaqueCursor<T extends z.ZodType>(schema: T) {
  return {
    encode(value: z.output<T>): string {
      return Buffer.from(JSON.stringify(value)).toString("base64url");
    },
    /** The cursor's value, or null for anything this schema did not give out. */
    decode(text: string): z.output<T> | null {
      try {
        const parsed = schema.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
  };
}

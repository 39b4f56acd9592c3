import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Passwords are hashed with scrypt (memory-hard, in node:crypto). The stored form carries
 * its parameters, `scrypt$N$r$p$salt$hash` (base64url), so they can be raised later without
 * invalidating existing accounts: a hash made with weaker ones is still checked with them.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 32 MiB and ~100 ms per hash on a server core; PARLEY_SCRYPT_N lowers N for tests only. */
export const DEFAULT_PARAMS: ScryptParams = {
  N: Number(process.env.PARLEY_SCRYPT_N ?? 2 ** 15),
  r: 8,
  p: 1,
};

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFC"),
      salt,
      KEY_LENGTH,
      { N, r, p, maxmem: 256 * N * r + 2 ** 20 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
}

/** False for a wrong password and for a stored hash this code cannot read. */
export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const params = { N: Number(N), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every((x) => Number.isSafeInteger(x) && x > 0)) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Checked against a hash of nothing, so an unknown email takes as long as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await derive(password, Buffer.alloc(16), DEFAULT_PARAMS);
}

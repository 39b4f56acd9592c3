import type { Accounts, Caller, Role } from "../../src/app/accounts.ts";

/**
 * An account made for a service test, and the caller it would be on a request: `name` at
 * `domain`, in one organization with one role (or none, for an operator).
 */
export async function testCaller(
  accounts: Accounts,
  name: string,
  membership?: { org: string; role: Role },
  opts: { operator?: boolean; domain?: string } = {},
): Promise<Caller> {
  const operator = opts.operator ?? false;
  const email = `${name}@${opts.domain ?? "staff.example"}`;
  const { id } = await accounts.add({
    email,
    name: `The ${name}`,
    password: "a long enough password",
    ...(membership ?? {}),
    operator,
  });
  return {
    id,
    email,
    name: `The ${name}`,
    memberships: membership ? [membership] : [],
    operator,
    via: { kind: "token" },
  };
}

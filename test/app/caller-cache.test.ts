import { afterEach, describe, expect, it } from "vitest";
import { Accounts, type KnownCredential } from "../../src/app/accounts.ts";
import { CALLER_MAX_AGE_MS, CallerCache } from "../../src/app/caller-cache.ts";
import { Parley } from "../../src/app/parley.ts";
import { testCaller } from "../support/callers.ts";
import { onPostgres, smallDispute, tempDb } from "../support/fixture.ts";

describe("CallerCache", () => {
  it("remembers what a read found, and forgets an account's entries when its access changes", () => {
    const cache = new CallerCache<string>(() => true);
    cache.put("token:a", "acc-1", "caller one", cache.begin());
    cache.put("token:b", "acc-2", "caller two", cache.begin());
    expect(cache.get("token:a")).toBe("caller one");
    cache.forget("acc-1");
    expect(cache.get("token:a")).toBeUndefined();
    expect(cache.get("token:b")).toBe("caller two");
    cache.clear();
    expect(cache.get("token:b")).toBeUndefined();
  });

  it("refuses what a read begun before a change brings back after it", () => {
    const cache = new CallerCache<string>(() => true);
    const since = cache.begin();
    // The read is under way when some other account's access changes: its answer may be
    // older than that change, so it is not kept (the next request reads again).
    cache.forget("acc-other");
    cache.put("token:a", "acc-1", "stale", since);
    expect(cache.get("token:a")).toBeUndefined();
    cache.put("token:a", "acc-1", "fresh", cache.begin());
    expect(cache.get("token:a")).toBe("fresh");
  });

  it("keeps nothing, and serves nothing it kept, while changes elsewhere are not heard", () => {
    let heard = false;
    const cache = new CallerCache<string>(() => heard);
    cache.put("token:a", "acc-1", "caller", cache.begin());
    expect(cache.size).toBe(0);
    heard = true;
    cache.put("token:a", "acc-1", "caller", cache.begin());
    expect(cache.get("token:a")).toBe("caller");
    heard = false;
    expect(cache.get("token:a")).toBeUndefined();
    heard = true;
    expect(cache.get("token:a")).toBeUndefined();
  });

  it("trusts an entry for a minute at most", () => {
    let now = 1_000;
    const cache = new CallerCache<string>(
      () => true,
      () => now,
    );
    cache.put("token:a", "acc-1", "caller", cache.begin());
    now += CALLER_MAX_AGE_MS - 1;
    expect(cache.get("token:a")).toBe("caller");
    now += 1;
    expect(cache.get("token:a")).toBeUndefined();
  });

  it("holds a bounded number of entries, dropping the oldest", () => {
    const cache = new CallerCache<number>(() => true);
    for (let i = 0; i <= 10_000; i++) cache.put(`token:${i}`, `acc-${i}`, i, cache.begin());
    expect(cache.size).toBe(10_000);
    expect(cache.get("token:0")).toBeUndefined();
    expect(cache.get("token:1")).toBe(1);
    expect(cache.get("token:10000")).toBe(10_000);
  });
});

describe("Accounts with remembered callers", () => {
  const opened: Parley[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
  });

  async function setUp(location = tempDb()) {
    const { app } = await smallDispute(location);
    opened.push(app);
    let now = new Date("2026-11-27T12:00:00Z");
    const cache = new CallerCache<KnownCredential>(() => true);
    const accounts = new Accounts(app.db, () => now, { sessionHours: 1 }, cache);
    const { id } = await testCaller(
      accounts,
      "neg",
      { org: "wga-west", role: "negotiator" },
      { domain: "wga.example" },
    );
    return { app, cache, accounts, id, setNow: (d: Date) => (now = d) };
  }

  it("answers from memory, yet refuses a token revoked here at once", async () => {
    const { app, accounts, id } = await setUp();
    const { token, id: tokenId } = await accounts.createToken(id, "script");
    expect((await accounts.byToken(token))?.id).toBe(id);
    // Changed behind the cache's back (no process said so): the remembered caller still
    // answers, which is why every change goes through Accounts or its notice.
    await app.db.updateTable("api_tokens").set({ name: "renamed" }).where("id", "=", tokenId).execute();
    await app.db.deleteFrom("memberships").where("account_id", "=", id).execute();
    expect((await accounts.byToken(token))?.memberships).toEqual([{ org: "wga-west", role: "negotiator" }]);
    await accounts.revokeToken(id, tokenId);
    expect(await accounts.byToken(token)).toBeNull();
  });

  it("still holds a token to its scope and a session to its expiry", async () => {
    const { accounts, id, setNow } = await setUp();
    const calendar = await accounts.createToken(id, "feeds", "calendar");
    expect(await accounts.byToken(calendar.token, "calendar")).not.toBeNull();
    expect(await accounts.byToken(calendar.token, "api")).toBeNull();
    const session = await accounts.login("neg@wga.example", "a long enough password");
    expect((await accounts.bySession(session.token))?.via).toEqual({ kind: "session", csrf: session.csrf });
    setNow(new Date("2026-11-27T13:00:01Z"));
    expect(await accounts.bySession(session.token)).toBeNull();
  });

  it("hands out a caller no request can change for the next", async () => {
    const { accounts, id } = await setUp();
    const { token } = await accounts.createToken(id, "script");
    const caller = (await accounts.byToken(token))!;
    expect(() => caller.memberships.push({ org: "amptp", role: "admin" })).toThrow(TypeError);
    expect((await accounts.byToken(token))?.memberships).toHaveLength(1);
  });

  it.skipIf(!onPostgres())(
    "on PostgreSQL, forgets a caller another process changed, once that process's word arrives",
    async () => {
      const location = tempDb();
      const { accounts: here, id } = await setUp(location);
      const { token, id: tokenId } = await here.createToken(id, "script");
      // A second process on the same database, remembering callers as a server does.
      const elsewhere = await Parley.open(location);
      opened.push(elsewhere);
      await elsewhere.followOtherProcesses();
      const there = new Accounts(elsewhere.db, () => new Date(), {}, elsewhere.callers);
      expect((await there.byToken(token))?.memberships).toEqual([{ org: "wga-west", role: "negotiator" }]);
      expect(elsewhere.callers.size).toBe(1);

      await here.setRole("wga-west", id, { role: "member" });
      await until(() => elsewhere.callers.size === 0);
      expect((await there.byToken(token))?.memberships).toEqual([{ org: "wga-west", role: "member" }]);

      await here.revokeToken(id, tokenId);
      await until(() => elsewhere.callers.size === 0);
      expect(await there.byToken(token)).toBeNull();
    },
  );
});

/** Polls until `done` (the test's own timeout bounds the wait). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 10));
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import { Parley } from "../../src/app/parley.ts";
import { ParleyError } from "../../src/domain/errors.ts";
import { tempDb } from "../support/fixture.ts";

/**
 * Two admins of one organization stepping down at the same moment: each transaction counts
 * the admins left after its own change, and on PostgreSQL (READ COMMITTED, a pool of
 * connections) each would count the other still there unless the two take turns. The race
 * is timing-dependent, so it is run many times over on a warm pool.
 */
describe("the last admin, under concurrent changes", () => {
  let app: Parley;
  let accounts: Accounts;
  const ids: string[] = [];

  beforeAll(async () => {
    app = await Parley.open(tempDb());
    await app.registerOrganization({ id: "local-9", name: "Local 9", shortName: "Local 9", kind: "union" });
    accounts = new Accounts(app.db, () => new Date());
    for (const who of ["a", "b"] as const) {
      const { id } = await accounts.add({
        email: `${who}@local9.example`,
        name: who,
        password: "a long enough passphrase",
        org: "local-9",
        role: "admin",
      });
      ids.push(id);
    }
  });

  afterAll(async () => {
    await app.close();
  });

  const admins = async () =>
    (await accounts.members("local-9")).filter((m) => m.role === "admin").map((m) => m.id);

  it("lets one of two admins stepping down at once do so, never both", async () => {
    for (let round = 0; round < 12; round++) {
      // Connections open and waiting, so both transactions start at once.
      await Promise.all(
        Array.from({ length: 4 }, () => app.db.selectFrom("organizations").selectAll().execute()),
      );
      const outcomes = await Promise.allSettled(
        round % 2 === 0
          ? ids.map((id) => accounts.setRole("local-9", id, { role: "member" }))
          : ids.map((id) => accounts.removeMember("local-9", id)),
      );
      const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(ParleyError);
      expect((refused[0] as ParleyError).code).toBe("LAST_ADMIN");
      const left = await admins();
      expect(left).toHaveLength(1);
      // Back to two admins for the next round.
      const gone = ids.find((id) => id !== left[0])!;
      if (round % 2 === 0) await accounts.setRole("local-9", gone, { role: "admin" });
      else
        await accounts.addMember("local-9", {
          email: `${gone === ids[0] ? "a" : "b"}@local9.example`,
          role: "admin",
        });
    }
  });
});

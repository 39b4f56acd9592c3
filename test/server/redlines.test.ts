import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Parley } from "../../src/app/parley.ts";
import { redline } from "../../src/app/redlines.ts";
import { AMPTP, smallDispute, WGA } from "../support/fixture.ts";
import { startServer } from "../support/server.ts";

const SLUG = "test-2023";
let parley: Parley;
let server: Awaited<ReturnType<typeof startServer>>;
let wgaSecond: number;
let privatePass: number;

beforeAll(async () => {
  parley = (await smallDispute()).app;
  // The fixture's passes on wages: WGA (table) 6%, 5%, 5%; AMPTP (table) 4%, 3%, 2%.
  const pass = (actor: typeof WGA, language: string, visibility = "table") =>
    parley.execute(SLUG, {
      actor,
      type: "pass.made",
      occurredAt: "2023-04-15T17:00:00Z",
      visibility,
      payload: { kind: "counterproposal", issues: [{ issue: "wages", language }] },
    });
  wgaSecond = (await pass(WGA, "Raise minimums 5%, 4%, 3.5%.")).seq;
  privatePass = (await pass(AMPTP, "Draft only: raise minimums 4.5%.", "private")).seq;
  server = await startServer(parley);
});
afterAll(async () => {
  await server.app.close();
  await parley.close();
});

describe("redline", () => {
  it("splits two texts into equal, deleted and inserted words", () => {
    expect(redline("Raise minimums 4% now.", "Raise minimums 5% now.")).toEqual([
      { op: "equal", text: "Raise minimums " },
      { op: "delete", text: "4" },
      { op: "insert", text: "5" },
      { op: "equal", text: "% now." },
    ]);
    const ops = redline("a b c", "a x c");
    expect(
      ops
        .filter((o) => o.op !== "insert")
        .map((o) => o.text)
        .join(""),
    ).toBe("a b c");
    expect(
      ops
        .filter((o) => o.op !== "delete")
        .map((o) => o.text)
        .join(""),
    ).toBe("a x c");
  });
});

describe("GET /passes/:seq/redlines", () => {
  const get = async (seq: number, who?: "wgaNegotiator" | "amptpNegotiator") =>
    server.call(
      "GET",
      `/api/v1/disputes/${SLUG}/passes/${seq}/redlines`,
      who ? { headers: await server.signIn(who) } : {},
    );

  it("compares a pass with its side's previous pass and the other side's latest", async () => {
    const r = await get(wgaSecond, "wgaNegotiator");
    expect(r.status).toBe(200);
    const wages = r.json.issues[0];
    expect(wages.issue).toBe("wages");
    expect(wages.ownPrevious.against.side).toBe("wga");
    expect(wages.otherLatest.against.side).toBe("amptp");
    const newText = (ops: { op: string; text: string }[]) =>
      ops
        .filter((o) => o.op !== "delete")
        .map((o) => o.text)
        .join("");
    const oldText = (ops: { op: string; text: string }[]) =>
      ops
        .filter((o) => o.op !== "insert")
        .map((o) => o.text)
        .join("");
    expect(newText(wages.ownPrevious.ops)).toBe("Raise minimums 5%, 4%, 3.5%.");
    expect(oldText(wages.ownPrevious.ops)).toBe("Raise minimums 6%, 5%, 5%.");
    expect(oldText(wages.otherLatest.ops)).toBe("Raise minimums 4%, 3%, 2%.");
  });

  it("never compares with a pass the viewer may not read", async () => {
    // The other side's private draft is later than its table pass, but WGA may not read it.
    const later = await parley.execute(SLUG, {
      actor: WGA,
      type: "pass.made",
      occurredAt: "2023-04-16T17:00:00Z",
      visibility: "table",
      payload: { kind: "counterproposal", issues: [{ issue: "wages", language: "Raise minimums 5%." }] },
    });
    const r = await get(later.seq, "wgaNegotiator");
    expect(r.json.issues[0].otherLatest.against.seq).not.toBe(privatePass);
    expect(r.text).not.toContain("Draft only");
    // AMPTP's negotiators may read their own draft, so theirs is the redline against it.
    const theirs = await get(later.seq, "amptpNegotiator");
    expect(theirs.json.issues[0].otherLatest.against.seq).toBe(privatePass);
  });

  it("answers 404 for a pass the caller may not read or that is no pass, 400 for a bad number", async () => {
    const hidden = await get(privatePass, "wgaNegotiator");
    expect([hidden.status, hidden.json.error.code]).toEqual([404, "ENTRY_UNKNOWN"]);
    const anon = await get(wgaSecond);
    expect([anon.status, anon.json.error.code]).toEqual([404, "ENTRY_UNKNOWN"]);
    const notPass = await get(0, "wgaNegotiator");
    expect([notPass.status, notPass.json.error.code]).toEqual([404, "ENTRY_UNKNOWN"]);
    const bad = await server.call("GET", `/api/v1/disputes/${SLUG}/passes/-3/redlines`);
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
  });
});

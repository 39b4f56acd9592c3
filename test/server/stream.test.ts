import { describe, expect, it } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import { Parley } from "../../src/app/parley.ts";
import { AMPTP, smallDispute, WGA } from "../support/fixture.ts";
import { serveSmallDispute, startServer, type TestServer } from "../support/server.ts";

const SLUG = "test-2023";
let parley: Parley;
let server: TestServer;
serveSmallDispute((served) => ({ parley, server } = served));

const say = (text: string, actor = WGA) =>
  parley.execute(SLUG, {
    actor,
    type: "statement.made",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility: "public",
    payload: { by: actor.org, channel: "other", text },
  });
const note = (text: string, actor = WGA) =>
  parley.execute(SLUG, {
    actor,
    type: "note.recorded",
    occurredAt: "2023-09-26T17:00:00Z",
    visibility: "private",
    payload: { text },
  });
const texts = (events: { data: { entry: unknown } }[]) =>
  events.map((e) => (e.data.entry as { payload: { text?: string } }).payload.text);

describe("the live stream", () => {
  it("sends the public each new public entry as it is committed, and nothing private", async () => {
    const s = await server.stream(`/api/v1/disputes/${SLUG}/stream`);
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await note("live private note");
    const last = await say("live public statement");
    const events = await s.until((e) => e.id === last.seq);
    s.close();
    expect(texts(events)).toEqual(["live public statement"]);
    expect(events[0]).toMatchObject({
      event: "entry",
      id: last.seq,
      data: { seq: last.seq, type: "statement.made" },
    });
  });

  it("sends a negotiator its own side's private notes, not the other side's", async () => {
    const s = await server.stream(`/api/v1/disputes/${SLUG}/stream`, await server.signIn("wgaNegotiator"));
    await note("WGA caucus, live");
    await note("AMPTP caucus, live", AMPTP);
    const last = await say("after the caucuses");
    const events = await s.until((e) => e.id === last.seq);
    s.close();
    expect(texts(events)).toEqual(["WGA caucus, live", "after the caucuses"]);
  });

  it("resumes from Last-Event-ID: what was missed first, then live entries, none twice", async () => {
    const before = await say("seen before the break");
    const missed1 = await say("missed one");
    await note("missed, but private");
    const missed2 = await say("missed two");
    const s = await server.stream(`/api/v1/disputes/${SLUG}/stream`, { "last-event-id": String(before.seq) });
    const live = await say("live after resuming");
    const events = await s.until((e) => e.id === live.seq);
    s.close();
    expect(events.map((e) => e.id)).toEqual([missed1.seq, missed2.seq, live.seq]);
    expect(texts(events)).toEqual(["missed one", "missed two", "live after resuming"]);
  });

  it("reads from the store what another process appended unheard, as soon as a later entry shows the gap", async () => {
    const s = await server.stream(`/api/v1/disputes/${SLUG}/stream`);
    // A second writer on the same store, whose commits this server is never told of (SQLite
    // has no commit feed; on PostgreSQL this is the feed down, or not yet listening).
    const other = await Parley.open(parley.path);
    try {
      await other.execute(SLUG, {
        actor: AMPTP,
        type: "statement.made",
        occurredAt: "2023-09-26T18:00:00Z",
        visibility: "public",
        payload: { by: "amptp", channel: "other", text: "appended elsewhere" },
      });
      await other.execute(SLUG, {
        actor: AMPTP,
        type: "note.recorded",
        occurredAt: "2023-09-26T18:00:00Z",
        visibility: "private",
        payload: { text: "elsewhere, private" },
      });
    } finally {
      await other.close();
    }
    const last = await say("appended here, after the gap");
    const events = await s.until((e) => e.id === last.seq);
    s.close();
    expect(texts(events)).toEqual(["appended elsewhere", "appended here, after the gap"]);
    expect(events.map((e) => e.id)).toEqual([last.seq - 2, last.seq]);
  });

  it("answers an unknown dispute and a malformed Last-Event-ID with the error shape", async () => {
    const none = await server.call("GET", "/api/v1/disputes/no-such-dispute/stream");
    expect([none.status, none.json.error.code]).toEqual([404, "DISPUTE_UNKNOWN"]);
    const bad = await server.call("GET", `/api/v1/disputes/${SLUG}/stream`, {
      headers: { "last-event-id": "abc" },
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("ends open streams when the server shuts down, so the shutdown completes", async () => {
    const own = await startServer((await smallDispute()).app);
    const s = await own.stream(`/api/v1/disputes/${SLUG}/stream`);
    const ended = s.until(() => false);
    await own.app.close();
    expect(await ended).toEqual([]);
    await own.app.parley.close();
  });

  it("ends a stream when its session is signed out", async () => {
    const session = await server.signIn("wgaMember");
    const s = await server.stream(`/api/v1/disputes/${SLUG}/stream`, session);
    const ended = s.until(() => false);
    const out = await server.call("DELETE", "/api/v1/session", { headers: session });
    expect(out.status).toBe(204);
    expect(await ended).toEqual([]);
  });

  it("ends a member's stream when the membership is removed; others' streams go on", async () => {
    const { id } = await server.accounts.addMember("wga-west", {
      email: "leaving@wga.example",
      name: "Leaving Member",
      password: "a password of some length",
      role: "member",
    });
    const session = await server.signInAs("leaving@wga.example", "a password of some length");
    const leaving = await server.stream(`/api/v1/disputes/${SLUG}/stream`, session);
    const staying = await server.stream(`/api/v1/disputes/${SLUG}/stream`, await server.signIn("wgaMember"));
    const ended = leaving.until(() => false);
    await server.accounts.removeMember("wga-west", id);
    expect(await ended).toEqual([]);
    const later = await say("after one member left");
    const events = await staying.until((e) => e.id === later.seq);
    staying.close();
    expect(texts(events)).toEqual(["after one member left"]);
  });

  it("ends, at its next heartbeat, a stream whose access changed elsewhere: another process, an expired session", async () => {
    const own = await startServer((await smallDispute()).app, { streamHeartbeatMs: 100 });
    try {
      // Another process (its own Accounts, whose changes this server hears nothing of) ends a membership.
      const elsewhere = new Accounts(own.app.parley.db, () => new Date());
      const { id } = await elsewhere.addMember("wga-west", {
        email: "elsewhere@wga.example",
        name: "Elsewhere",
        password: "a password of some length",
        role: "member",
      });
      const member = await own.signInAs("elsewhere@wga.example", "a password of some length");
      const removed = (await own.stream(`/api/v1/disputes/${SLUG}/stream`, member)).until(() => false);
      await elsewhere.removeMember("wga-west", id);
      expect(await removed).toEqual([]);

      // A session that runs out while its stream is open.
      const expiring = await own.signIn("wgaNegotiator");
      const expired = (await own.stream(`/api/v1/disputes/${SLUG}/stream`, expiring)).until(() => false);
      await own.app.parley.db
        .updateTable("sessions")
        .set({ expires_at: "2000-01-01T00:00:00.000Z" })
        .execute();
      // Sessions run out as the clock passes their expiry; this test moves the expiry instead
      // (the server's clock stands still), behind the back of the callers a PostgreSQL server
      // remembers, so they are forgotten here as the clock's passing would have made them stale.
      own.app.parley.callers.clear();
      expect(await expired).toEqual([]);

      // A stream whose caller's access stands goes on through many heartbeats.
      const staying = await own.stream(
        `/api/v1/disputes/${SLUG}/stream`,
        await own.signIn("amptpNegotiator"),
      );
      await new Promise((resolve) => setTimeout(resolve, 350));
      const later = await own.app.parley.execute(SLUG, {
        actor: WGA,
        type: "statement.made",
        occurredAt: "2023-09-26T17:00:00Z",
        visibility: "public",
        payload: { by: "wga-west", channel: "other", text: "still streaming" },
      });
      const events = await staying.until((e) => e.id === later.seq);
      staying.close();
      expect(texts(events)).toEqual(["still streaming"]);
    } finally {
      await own.app.close();
      await own.app.parley.close();
    }
  });
});

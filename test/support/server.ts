import { afterAll, beforeAll } from "vitest";
import { Accounts } from "../../src/app/accounts.ts";
import type { Parley } from "../../src/app/parley.ts";
import { buildServer } from "../../src/server/server.ts";
import { smallDispute } from "./fixture.ts";

/** Low scrypt cost for tests: the parameters travel in each hash, so checks still verify. */
process.env.PARLEY_SCRYPT_N ??= "1024";

export const PASSWORD = "correct horse battery staple";

export const PEOPLE = {
  wgaNegotiator: { email: "neg@wga.example", org: "wga-west", role: "negotiator" },
  wgaMember: { email: "member@wga.example", org: "wga-west", role: "member" },
  amptpNegotiator: { email: "neg@amptp.example", org: "amptp", role: "negotiator" },
  amptpMember: { email: "member@amptp.example", org: "amptp", role: "member" },
  reporter: { email: "desk@press.example", org: "daily-press", role: "negotiator" },
  /** An administrator of an organization with no part in the dispute. */
  outsiderAdmin: { email: "admin@other.example", org: "other-union", role: "admin" },
} as const;
export type Person = keyof typeof PEOPLE;

/** The real server on an ephemeral loopback port, with an account for each person. */
export async function startServer(
  parley: Parley,
  opts: {
    loginsPerMinute?: number;
    streamHeartbeatMs?: number;
  } = {},
) {
  const accounts = new Accounts(parley.db, () => new Date(parley.now()), {}, parley.callers);
  await parley.registerOrganization({
    id: "other-union",
    name: "Other Union",
    shortName: "Other",
    kind: "union",
  });
  for (const [name, p] of Object.entries(PEOPLE)) {
    await accounts.add({ ...p, name, password: PASSWORD });
  }
  const app = await buildServer({
    parley,
    accounts,
    loginsPerMinute: opts.loginsPerMinute ?? 1000,
    ...(opts.streamHeartbeatMs === undefined ? {} : { streamHeartbeatMs: opts.streamHeartbeatMs }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  const base = `http://127.0.0.1:${address.port}`;

  const call = async (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    }
    const res = await fetch(base + path, { method, headers, body, redirect: "manual" });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
    return { status: res.status, json: json as any, text, headers: res.headers };
  };

  /** Signs an account in and returns the headers a cookie-authenticated write needs. */
  const signInAs = async (email: string, password = PASSWORD) => {
    const res = await call("POST", "/api/v1/session", { body: { email, password } });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.text}`);
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    return { cookie, "x-csrf-token": res.json.csrf as string };
  };
  const signIn = (who: Person) => signInAs(PEOPLE[who].email);

  /** Reads a Server-Sent Events stream frame by frame until `stop` says so or it ends. */
  const stream = async (path: string, headers: Record<string, string> = {}) => {
    const controller = new AbortController();
    const res = await fetch(base + path, { headers, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const events: { id: number; event: string; data: { seq: number; type: string; entry: unknown } }[] = [];
    const until = async (stop: (e: (typeof events)[number]) => boolean): Promise<typeof events> => {
      for (;;) {
        const cut = buffer.indexOf("\n\n");
        if (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = Object.fromEntries(
            block
              .split("\n")
              .filter((l) => !l.startsWith(":") && l.includes(":"))
              .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]),
          );
          if (fields.data === undefined) continue;
          const e = {
            id: Number(fields.id),
            event: fields.event ?? "message",
            data: JSON.parse(fields.data),
          };
          events.push(e);
          if (stop(e)) return events;
          continue;
        }
        const { done, value } = await reader.read();
        if (done) return events;
        buffer += decoder.decode(value, { stream: true });
      }
    };
    return { status: res.status, headers: res.headers, until, close: () => controller.abort() };
  };

  return { app, accounts, base, call, signIn, signInAs, stream };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;

/**
 * The small test dispute served for one test file: opened and served before its tests (`ready`
 * receives both), closed after them.
 */
export function serveSmallDispute(ready: (served: { parley: Parley; server: TestServer }) => void): void {
  let served: { parley: Parley; server: TestServer } | undefined;
  beforeAll(async () => {
    const parley = (await smallDispute()).app;
    served = { parley, server: await startServer(parley) };
    ready(served);
  });
  afterAll(async () => {
    await served?.server.app.close();
    await served?.parley.close();
  });
}

import { Accounts } from "../../src/app/accounts.ts";
import { Parley } from "../../src/app/parley.ts";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../src/demo/accounts.ts";
import { loadDemo } from "../../src/demo/load.ts";
import { buildServer } from "../../src/server/server.ts";
import { tempDb } from "./fixture.ts";

process.env.PARLEY_SCRYPT_N ??= "1024";

export { DEMO_PASSWORD };
export const DEMO = {
  wgaNegotiator: "negotiator@wga.demo",
  wgaMember: "member@wga.demo",
  amptpNegotiator: "negotiator@amptp.demo",
  amptpMember: "member@amptp.demo",
  reporter: "reporter@parley-news.demo",
} as const;
export type DemoPerson = keyof typeof DEMO;

/** The text of an HTML page, tags and scripts stripped, entities decoded, whitespace collapsed: what a reader reads. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}

/**
 * The demo disputes and accounts behind the real server on a loopback port: what the pages
 * are tested against, as a newcomer sees them after `npm start`. `now` pins the clock.
 */
export async function demoServer(opts: { now?: string } = {}) {
  const parley = await Parley.open(tempDb(), opts.now ? { clock: () => new Date(opts.now!) } : {});
  await loadDemo(parley);
  const accounts = new Accounts(parley.db, () => new Date(parley.now()), {}, parley.callers);
  const app = await buildServer({ parley, accounts, loginsPerMinute: 1000 });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  const base = `http://127.0.0.1:${address.port}`;

  /** Signs in through the sign-in form, as a browser would; returns the session cookie. */
  const signIn = async (who: DemoPerson): Promise<string> => {
    const res = await fetch(`${base}/signin`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: DEMO[who], password: DEMO_PASSWORD, next: "/" }),
      redirect: "manual",
    });
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    return res.headers.get("set-cookie")!.split(";")[0]!;
  };

  /** A page as a browser asks for it, with an optional session cookie. */
  const page = async (path: string, cookie?: string) => {
    const res = await fetch(base + path, {
      headers: { accept: "text/html", ...(cookie ? { cookie } : {}) },
      redirect: "manual",
    });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };

  /** Posts a form as a browser would (urlencoded, same origin). */
  const post = async (path: string, fields: Record<string, string | string[]>, cookie?: string) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    const res = await fetch(base + path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: base,
        accept: "text/html",
        ...(cookie ? { cookie } : {}),
      },
      body,
      redirect: "manual",
    });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };

  /** The CSRF token a signed-in page carries in its forms. */
  const csrfOf = (html: string): string => {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error("no CSRF field on the page");
    return m[1]!;
  };

  return { app, parley, accounts, base, signIn, page, post, csrfOf, demoAccounts: DEMO_ACCOUNTS };
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localPath } from "../../src/server/pages/session.ts";
import { DEMO, DEMO_PASSWORD, demoServer } from "../support/web.ts";

let s: Awaited<ReturnType<typeof demoServer>>;
beforeAll(async () => {
  s = await demoServer();
});
afterAll(async () => {
  await s.app.close();
  await s.parley.close();
});

describe("signing in and out with the forms", () => {
  it("signs in, goes back where the reader was, and shows who is signed in", async () => {
    const r = await s.post("/signin", {
      email: DEMO.wgaNegotiator,
      password: DEMO_PASSWORD,
      next: "/d/wga-2023/timeline",
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/d/wga-2023/timeline");
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toMatch(/parley_session=[^;]+; .*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const page = await s.page("/d/wga-2023", cookie.split(";")[0]!);
    expect(page.html).toContain("Sign out");
    expect(page.html).toContain('name="_csrf"');
  });

  it("a wrong password is the form again with the reason, and no session", async () => {
    const r = await s.post("/signin", { email: DEMO.wgaNegotiator, password: "not the password", next: "/" });
    expect(r.status).toBe(401);
    expect(r.html).toContain("AUTH_FAILED");
    expect(r.html).toContain('aria-invalid="true"');
    expect(r.html).toContain(`value="${DEMO.wgaNegotiator}"`);
    expect(r.headers.get("set-cookie")).toBeNull();
  });

  it("never sends the reader to another site after signing in", () => {
    expect(localPath("/d/wga-2023?asOf=2023-09-14")).toBe("/d/wga-2023?asOf=2023-09-14");
    for (const evil of [
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example",
      "javascript:alert(1)",
      42,
    ]) {
      expect(localPath(evil)).toBe("/workspace");
    }
  });

  it("refuses a form posted from another site", async () => {
    const res = await fetch(`${s.base}/signin`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: new URLSearchParams({ email: DEMO.wgaNegotiator, password: DEMO_PASSWORD }),
      redirect: "manual",
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("CSRF_FAILED");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("signs out only with the page's CSRF token, and the session is gone afterwards", async () => {
    const cookie = await s.signIn("amptpNegotiator");
    const csrf = s.csrfOf((await s.page("/d/wga-2023", cookie)).html);
    const forged = await s.post("/signout", {}, cookie);
    expect(forged.status).toBe(403);
    expect(forged.html).toContain("CSRF_FAILED");
    expect((await s.page("/d/wga-2023", cookie)).html).toContain("Sign out");
    const out = await s.post("/signout", { _csrf: csrf }, cookie);
    expect([out.status, out.headers.get("location")]).toEqual([303, "/"]);
    const after = await s.page("/d/wga-2023", cookie);
    expect(after.html).not.toContain("Sign out");
    expect(after.html).toContain("Sign in");
  });

  it("signing out without being signed in asks to sign in", async () => {
    const r = await s.post("/signout", {});
    expect(r.status).toBe(401);
    expect(r.html).toContain("AUTH_REQUIRED");
  });
});

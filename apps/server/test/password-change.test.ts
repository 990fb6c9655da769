import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./helpers.ts";

// A signed-in user changes their own password: the current one is required, the new one follows
// the same rules as an admin's, and the change revokes their API tokens and other sessions.

const providers = await testProviders();

describe.each(providers)("self-service password change on %s", (provider) => {
  let t: TestApp;
  const username = "pw-owner";
  const oldPassword = "old-password-0001";
  const newPassword = "new-password-0002";

  beforeAll(async () => {
    t = await startTestApp(provider);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/users",
      payload: { username, password: oldPassword, role: "operator" },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  /** Signs in through the API: session cookie and CSRF token, as the dashboard holds them. */
  async function login(password: string) {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { authorization: "" },
      payload: { username, password },
    });
    if (res.statusCode !== 200) return null;
    const cookie = res.cookies.find((c) => c.name === "crondeck_session");
    return { authorization: "", cookie: `crondeck_session=${cookie?.value}`, "x-csrf-token": res.json().csrfToken };
  }

  const change = (headers: Record<string, string>, payload: Record<string, string>) =>
    t.app.inject({ method: "POST", url: "/api/auth/password", headers, payload });
  const me = (headers: Record<string, string>) =>
    t.app.inject({ method: "GET", url: "/api/auth/me", headers }).then((r) => r.statusCode);

  it("refuses a wrong current password, a short new one and an API token", async () => {
    const session = (await login(oldPassword)) as Record<string, string>;
    const wrong = await change(session, { currentPassword: "not-the-password", newPassword });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: "WRONG_PASSWORD", details: [{ field: "currentPassword" }] });
    expect(await me(session)).toBe(200); // still signed in

    const short = await change(session, { currentPassword: oldPassword, newPassword: "short-pw" });
    expect(short.statusCode).toBe(400);
    expect(JSON.stringify(short.json().details)).toContain("newPassword");

    const token = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      headers: session,
      payload: { name: "script" },
    });
    const byToken = await change(
      { authorization: `Bearer ${token.json().token}` },
      { currentPassword: oldPassword, newPassword },
    );
    expect(byToken.statusCode).toBe(403);
    expect(await login(oldPassword)).not.toBeNull(); // nothing changed
  });

  it("changes it, revokes the user's tokens and other sessions, keeps this one, and audits it", async () => {
    const session = (await login(oldPassword)) as Record<string, string>;
    const other = (await login(oldPassword)) as Record<string, string>;
    const created = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      headers: session,
      payload: { name: "ci" },
    });
    const token = { authorization: `Bearer ${created.json().token}` };
    expect(await me(token)).toBe(200);

    const res = await change(session, { currentPassword: oldPassword, newPassword });
    expect(res.statusCode).toBe(200);
    // Both tokens made in these tests (the earlier one too); every other session of the user.
    expect(res.json().revokedTokens).toBe(2);
    expect(res.json().endedSessions).toBeGreaterThanOrEqual(1);

    expect(await me(session)).toBe(200);
    expect(await me(other)).toBe(401);
    expect(await me(token)).toBe(401);
    expect(await login(oldPassword)).toBeNull();
    expect(await login(newPassword)).not.toBeNull();

    const audit = await t.app.inject({ method: "GET", url: "/api/audit?pageSize=100" });
    const entries = audit.json().items as Array<{ action: string; actorName: string; after: unknown }>;
    const entry = entries.find((e) => e.action === "auth.password_change");
    expect(entry).toMatchObject({ actorName: username });
    expect(String(entry?.after)).toContain('"revokedTokens":2');
    expect(entries.some((e) => e.action === "auth.password_change_failed" && e.actorName === username)).toBe(true);
  });
});

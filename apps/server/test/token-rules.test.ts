import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../src/auth/secrets.ts";
import { issueToken, sessionHeaders, shellTask, startTestApp, type TestApp } from "./helpers.ts";

describe("what API tokens may do with tokens", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite");
  });
  afterAll(async () => t?.close());

  it("refuses token management from a token: no minting, listing or revoking", async () => {
    const { db } = t.app.database;
    const session = await sessionHeaders(t.app, "test-admin");
    // An admin's long-lived admin token, and a short-lived viewer token of the same admin.
    const strong = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      payload: { name: "deploy", role: "admin" },
      headers: session,
    });
    expect(strong.statusCode).toBe(201);
    const weak = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      payload: { name: "dashboard-viewer", role: "viewer", expiresInDays: 1 },
      headers: session,
    });
    const bearer = { authorization: `Bearer ${weak.json().token}` };
    const tokensBefore = await db.apiToken.count();

    const mint = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      payload: { name: "forever", role: "viewer" },
      headers: bearer,
    });
    expect(mint.statusCode).toBe(403);
    expect(mint.json().code).toBe("SESSION_REQUIRED");
    const list = await t.app.inject({ method: "GET", url: "/api/tokens", headers: bearer });
    expect(list.statusCode).toBe(403);
    expect(list.body).not.toContain("deploy");
    const revoke = await t.app.inject({ method: "DELETE", url: `/api/tokens/${strong.json().id}`, headers: bearer });
    expect(revoke.statusCode).toBe(403);
    expect(await db.apiToken.count()).toBe(tokensBefore);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: strong.json().id } })).revokedAt).toBeNull();
    // Even the admin's own admin token cannot manage tokens.
    expect((await t.app.inject({ method: "GET", url: "/api/tokens" })).statusCode).toBe(403);
    // The session still can.
    expect((await t.app.inject({ method: "GET", url: "/api/tokens", headers: session })).statusCode).toBe(200);
  });

  it("says in the audit log whether a session or which token acted", async () => {
    const { db } = t.app.database;
    const session = await sessionHeaders(t.app, "test-admin");
    const viaSession = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: shellTask(),
      headers: session,
    });
    expect(viaSession.statusCode).toBe(201);
    const viaToken = await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask() });
    expect(viaToken.statusCode).toBe(201);
    const tokenRow = await db.apiToken.findUniqueOrThrow({ where: { tokenHash: sha256(t.token) } });

    const audit = (await t.app.inject({ method: "GET", url: "/api/audit?pageSize=100" })).json();
    const created = (taskId: number) =>
      audit.items.find((e: { action: string; taskId: number }) => e.action === "task.create" && e.taskId === taskId);
    expect(created(viaSession.json().id)).toMatchObject({ actorName: "test-admin", via: "session", tokenId: null });
    expect(created(viaToken.json().id)).toMatchObject({ actorName: "test-admin", via: "token", tokenId: tokenRow.id });
    const failed = await t.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "x", password: "y" },
      headers: { authorization: "" },
    });
    expect(failed.statusCode).toBe(401);
    const last = await db.auditEntry.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last).toMatchObject({ action: "auth.login_failed", via: null, tokenId: null });
  });

  it("keeps a viewer token of an admin to viewer rights elsewhere", async () => {
    const viewerOfAdmin = await issueToken(t.app, "viewer", "test-admin");
    const res = await t.app.inject({
      method: "GET",
      url: "/api/users",
      headers: { authorization: `Bearer ${viewerOfAdmin}` },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe("a user's tokens when the account changes", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite");
  });
  afterAll(async () => t?.close());

  const works = async (token: string) =>
    (await t.app.inject({ method: "GET", url: "/api/tasks", headers: { authorization: `Bearer ${token}` } }))
      .statusCode === 200;

  it("revokes them on a password change", async () => {
    const token = await issueToken(t.app, "operator", "pat");
    const user = await t.app.database.db.user.findUniqueOrThrow({ where: { username: "pat" } });
    expect(await works(token)).toBe(true);
    const res = await t.app.inject({
      method: "PATCH",
      url: `/api/users/${user.id}`,
      payload: { password: "a brand new password" },
    });
    expect(res.statusCode).toBe(200);
    expect(await works(token)).toBe(false);
    const audit = await t.app.database.db.auditEntry.findFirstOrThrow({
      where: { action: "user.update" },
      orderBy: { id: "desc" },
    });
    expect(JSON.parse(audit.after as string)).toMatchObject({ revokedTokens: 1 });
  });

  it("does not bring them back when a disabled user is enabled again", async () => {
    const token = await issueToken(t.app, "viewer", "dora");
    const user = await t.app.database.db.user.findUniqueOrThrow({ where: { username: "dora" } });
    for (const disabled of [true, false]) {
      const res = await t.app.inject({ method: "PATCH", url: `/api/users/${user.id}`, payload: { disabled } });
      expect(res.statusCode).toBe(200);
    }
    expect(await works(token)).toBe(false);
  });
});

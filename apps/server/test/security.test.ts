import { Writable } from "node:stream";
import { createTestDatabase } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { hashPassword, sha256 } from "../src/auth/secrets.ts";
import {
  issueToken,
  roleHeaders,
  sessionHeaders,
  shellTask,
  startTestApp,
  storedSettings,
  type TestApp,
  waitForRun,
} from "./helpers.ts";

const anonymous = { authorization: "" };

async function login(t: TestApp, username: string, password: string, ip = "127.0.0.1") {
  return t.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password },
    headers: anonymous,
    remoteAddress: ip,
  });
}

describe("sessions, CSRF, brute force, tokens and roles", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite");
    const { db } = t.app.database;
    await db.user.create({
      data: { username: "alice", passwordHash: await hashPassword("correct horse battery"), role: "admin" },
    });
    await db.user.create({
      data: { username: "olga", passwordHash: await hashPassword("operator password 1"), role: "operator" },
    });
  });
  afterAll(async () => t?.close());

  it("signs in with an HttpOnly SameSite=Strict cookie, and a cookie write needs the CSRF token", async () => {
    const res = await login(t, "alice", "correct horse battery");
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers["set-cookie"]);
    expect(setCookie).toMatch(/crondeck_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP here; HTTPS requests get Secure
    const { csrfToken, user } = res.json();
    expect(user).toMatchObject({ username: "alice", role: "admin" });
    const cookie = setCookie.split(";")[0] as string;

    const me = await t.app.inject({ method: "GET", url: "/api/auth/me", headers: { ...anonymous, cookie } });
    expect(me.json()).toMatchObject({ user: { username: "alice" }, via: "session", csrfToken });

    const before = await t.app.database.db.task.count();
    const noCsrf = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: shellTask(),
      headers: { ...anonymous, cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe("CSRF_TOKEN_INVALID");
    const wrongCsrf = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: shellTask(),
      headers: { ...anonymous, cookie, "x-csrf-token": `${csrfToken}x` },
    });
    expect(wrongCsrf.statusCode).toBe(403);
    expect(await t.app.database.db.task.count()).toBe(before);
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: shellTask(),
      headers: { ...anonymous, cookie, "x-csrf-token": csrfToken },
    });
    expect(ok.statusCode).toBe(201);

    const out = await t.app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { ...anonymous, cookie, "x-csrf-token": csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: "GET", url: "/api/auth/me", headers: { ...anonymous, cookie } })).statusCode,
    ).toBe(401);
  });

  it("refuses the tenth wrong password in a minute before checking the hash", async () => {
    for (let i = 1; i <= 9; i++) {
      const res = await login(t, "olga", `wrong ${i}`, "10.0.0.9");
      expect(res.statusCode, `attempt ${i}`).toBe(401);
    }
    // Even the right password is refused now: the hash is not what decides.
    const tenth = await login(t, "olga", "operator password 1", "10.0.0.9");
    expect(tenth.statusCode).toBe(429);
    expect(tenth.json().code).toBe("TOO_MANY_ATTEMPTS");
    expect(Number(tenth.headers["retry-after"])).toBeGreaterThan(0);
    // Another user from another address is not affected.
    expect((await login(t, "alice", "correct horse battery", "10.0.0.10")).statusCode).toBe(200);
  });

  it("answers an unknown user and a wrong password alike", async () => {
    const unknown = await login(t, "nobody", "whatever", "10.0.0.20");
    const wrong = await login(t, "alice", "whatever", "10.0.0.21");
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it("shows a token once, stores only its hash, lets it work, and stops it at once when revoked", async () => {
    const session = await sessionHeaders(t.app, "test-admin");
    const created = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      payload: { name: "ci", role: "operator" },
      headers: session,
    });
    expect(created.statusCode).toBe(201);
    const { token, id, prefix } = created.json();
    expect(token).toMatch(/^cdk_/);
    expect(token.startsWith(prefix)).toBe(true);
    const stored = await t.app.database.db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(stored.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    const listed = await t.app.inject({ method: "GET", url: "/api/tokens", headers: session });
    expect(listed.body).not.toContain(token);

    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: "GET", url: "/api/tasks", headers: auth })).statusCode).toBe(200);
    const used = await t.app.database.db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(used.lastUsedAt).not.toBeNull();
    // An operator token cannot create tasks even though its user is an admin.
    expect(
      (await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask(), headers: auth })).statusCode,
    ).toBe(403);

    expect((await t.app.inject({ method: "DELETE", url: `/api/tokens/${id}`, headers: session })).statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url: "/api/tasks", headers: auth })).statusCode).toBe(401);
  });

  it("does not let a token carry more than its user's role", async () => {
    await issueToken(t.app, "viewer", "vera");
    const res = await t.app.inject({
      method: "POST",
      url: "/api/tokens",
      payload: { name: "escalate", role: "admin" },
      headers: await sessionHeaders(t.app, "vera"),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("FORBIDDEN");
  });

  it("lets an operator run, cancel, enable and disable, but not edit or create", async () => {
    const operator = await roleHeaders(t.app, "operator", "oscar");
    const task = (
      await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask({ command: "sleep 10" }) })
    ).json();
    expect(
      (
        await t.app.inject({
          method: "PATCH",
          url: `/api/tasks/${task.id}`,
          payload: { enabled: false },
          headers: operator,
        })
      ).statusCode,
    ).toBe(200);
    const edit = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { command: "rm -rf /" },
      headers: operator,
    });
    expect(edit.statusCode).toBe(403);
    expect((await storedSettings(t.app, task.id)).mode.command).toBe("sleep 10");
    const run = await t.app.inject({ method: "POST", url: `/api/tasks/${task.id}/run`, headers: operator });
    expect(run.statusCode).toBe(202);
    await waitForRun(t.app, run.json().runId, (r) => r.status === "RUNNING");
    expect(
      (await t.app.inject({ method: "POST", url: `/api/runs/${run.json().runId}/cancel`, headers: operator }))
        .statusCode,
    ).toBe(202);
    expect((await waitForRun(t.app, run.json().runId)).status).toBe("CANCELED");
    expect(
      (await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask(), headers: operator })).statusCode,
    ).toBe(403);
  });

  it("keeps one enabled admin", async () => {
    const { db } = t.app.database;
    const me = await db.user.findUniqueOrThrow({ where: { username: "test-admin" } });
    const others = await db.user.findMany({ where: { role: "admin", id: { not: me.id } } });
    await db.user.updateMany({ where: { id: { in: others.map((u) => u.id) } }, data: { disabled: true } });
    try {
      for (const payload of [{ role: "viewer" }, { disabled: true }]) {
        const res = await t.app.inject({ method: "PATCH", url: `/api/users/${me.id}`, payload });
        expect(res.statusCode).toBe(409);
        expect(res.json().code).toBe("LAST_ADMIN");
      }
      expect((await t.app.inject({ method: "DELETE", url: `/api/users/${me.id}` })).statusCode).toBe(409);
    } finally {
      await db.user.updateMany({ where: { id: { in: others.map((u) => u.id) } }, data: { disabled: false } });
    }
  });

  it("lets no admin demote, disable or delete themselves, even with another admin left", async () => {
    const { db } = t.app.database;
    const me = await db.user.findUniqueOrThrow({ where: { username: "test-admin" } });
    expect(await db.user.count({ where: { role: "admin", disabled: false, id: { not: me.id } } })).toBeGreaterThan(0);
    for (const [payload, field] of [
      [{ role: "operator" }, "role"],
      [{ disabled: true }, "disabled"],
    ] as const) {
      const res = await t.app.inject({ method: "PATCH", url: `/api/users/${me.id}`, payload });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: "SELF_CHANGE", details: [{ field }] });
    }
    const del = await t.app.inject({ method: "DELETE", url: `/api/users/${me.id}` });
    expect(del.statusCode).toBe(409);
    expect(del.json().code).toBe("SELF_CHANGE");
    expect(await db.user.findUniqueOrThrow({ where: { id: me.id } })).toMatchObject({ role: "admin", disabled: false });
  });

  it("audits changes, runs, cancels, logins and token changes, with secrets masked", async () => {
    const task = (
      await t.app.inject({
        method: "POST",
        url: "/api/tasks",
        payload: shellTask({
          notifyPolicy: "ON_END",
          notifyChannel: "WEBHOOK",
          notifyWebhookUrl: "http://127.0.0.1:1/hook",
          notifyWebhookSecret: "AUDIT-SECRET-123",
        }),
      })
    ).json();
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
    await t.app.inject({
      method: "PUT",
      url: `/api/tasks/${task.id}`,
      payload: shellTask({ name: task.name, command: "echo v2" }),
    });
    await waitForRun(t.app, (await t.app.inject({ method: "POST", url: `/api/tasks/${task.id}/run` })).json().runId);
    await t.app.inject({ method: "DELETE", url: `/api/tasks/${task.id}` });
    const audit = (await t.app.inject({ method: "GET", url: `/api/audit?taskId=${task.id}&pageSize=50` })).json();
    expect(audit.items.map((e: { action: string }) => e.action).reverse()).toEqual([
      "task.create",
      "task.disable",
      "task.update",
      "task.run",
      "task.delete",
    ]);
    expect(JSON.stringify(audit)).not.toContain("AUDIT-SECRET-123");
    const update = audit.items.find((e: { action: string }) => e.action === "task.update");
    expect(JSON.parse(update.before).command).toBe("echo hi");
    expect(JSON.parse(update.after).command).toBe("echo v2");
    expect(update.actorName).toBe("test-admin");
    const all = (await t.app.inject({ method: "GET", url: "/api/audit?pageSize=200" })).json();
    const actions = new Set(all.items.map((e: { action: string }) => e.action));
    for (const action of [
      "auth.login",
      "auth.login_failed",
      "auth.logout",
      "token.create",
      "token.revoke",
      "run.cancel",
    ]) {
      expect(actions, action).toContain(action);
    }
  });

  it("sends security headers, no CORS by default, and limits request bodies", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/tasks" });
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(String(res.headers["content-security-policy"])).toContain("default-src 'self'");
    const cors = await t.app.inject({
      method: "OPTIONS",
      url: "/api/tasks",
      headers: { origin: "http://evil.test", "access-control-request-method": "POST" },
    });
    expect(cors.headers["access-control-allow-origin"]).toBeUndefined();
    const huge = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: { ...shellTask(), remark: "x".repeat(2 * 1024 * 1024) },
    });
    expect(huge.statusCode).toBe(413);
  });

  it("keeps health open and everything under /api closed to anonymous callers", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz", headers: anonymous })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/api/tasks", headers: anonymous })).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: "/api/nope", headers: anonymous })).statusCode).toBe(404);
  });
});

describe("first start", () => {
  it("creates one admin with a random password printed once, and nothing else", async () => {
    const db = createTestDatabase("sqlite");
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const start = async () => {
      const app = await buildApp(
        loadConfig({ TZ: "UTC" }, { databaseUrl: db.url, scheduler: false, webDist: "/nonexistent" }),
        {
          logger: { level: "info", stream },
        },
      );
      await app.ready();
      return app;
    };
    const first = await start();
    const users = await first.database.db.user.findMany();
    expect(users.map((u) => [u.username, u.role])).toEqual([["admin", "admin"]]);
    expect(await first.database.db.apiToken.count()).toBe(0);
    const line = lines.find((l) => l.includes("first admin user")) as string;
    const password = /password (\S+) /.exec(JSON.parse(line).msg)?.[1] as string;
    expect(password.length).toBeGreaterThanOrEqual(16);
    const ok = await first.inject({ method: "POST", url: "/api/auth/login", payload: { username: "admin", password } });
    expect(ok.statusCode).toBe(200);
    expect(
      await first
        .inject({ method: "POST", url: "/api/auth/login", payload: { username: "admin", password: "admin" } })
        .then((r) => r.statusCode),
    ).toBe(401);
    await first.close();
    const logged = lines.length;
    const second = await start();
    expect(await second.database.db.user.count()).toBe(1);
    expect(lines.slice(logged).some((l) => l.includes("first admin user"))).toBe(false);
    await second.close();
    await db.drop();
  });

  it("uses ADMIN_USER and ADMIN_PASSWORD when given, without logging the password", async () => {
    const db = createTestDatabase("sqlite");
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const app = await buildApp(
      loadConfig(
        { TZ: "UTC", ADMIN_USER: "root", ADMIN_PASSWORD: "a very secret one" },
        { databaseUrl: db.url, scheduler: false, webDist: "/nonexistent" },
      ),
      { logger: { level: "trace", stream } },
    );
    await app.ready();
    const res = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "root", password: "a very secret one" },
    });
    expect(res.statusCode).toBe(200);
    expect(lines.join("")).not.toContain("a very secret one");
    expect(lines.join("")).not.toContain(String(res.headers["set-cookie"]).split(";")[0]?.split("=")[1]);
    await app.close();
    await db.drop();
  });
});

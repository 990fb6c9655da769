import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Access } from "../src/auth/roles.ts";
import { randomSecret, sha256 } from "../src/auth/secrets.ts";
import { issueToken, roleHeaders, shellTask, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

// Every route of the OpenAPI document × every kind of caller, each with the exact status expected.
// A route that is in the document but not in RULES fails the suite: a new route needs a rule.

interface Sample {
  url: string;
  payload?: unknown;
}
interface Rule {
  access: Access;
  /** What an allowed caller gets. */
  ok: number;
  /** Refused to API tokens (403) whatever their role: every caller here but the session ones is a token. */
  sessionOnly?: boolean;
  /** Builds a fresh request (fresh fixtures, so a DELETE by one caller doesn't starve the next). */
  sample: (f: Fixtures, caller: Caller) => Promise<Sample>;
}
let secretSeq = 0;

interface Fixtures {
  app: FastifyInstance;
  /** A stored secret's name, new for each call. */
  secret(): Promise<string>;
  task(): Promise<number>;
  finishedRun(): Promise<number>;
  runningRun(): Promise<number>;
  user(): Promise<number>;
  /** A token of the caller's own user (anyone may revoke their own tokens). */
  token(caller: Caller): Promise<number>;
}

const url = (u: string) => async () => ({ url: u });

const RULES: Record<string, Rule> = {
  "GET /healthz": { access: "public", ok: 200, sample: url("/healthz") },
  "GET /readyz": { access: "public", ok: 200, sample: url("/readyz") },
  "GET /metrics": { access: "viewer", ok: 200, sample: url("/metrics") },
  "POST /api/auth/login": {
    access: "public",
    ok: 200,
    sample: async () => ({
      url: "/api/auth/login",
      payload: { username: "matrix-admin", password: "matrix-password-123" },
    }),
  },
  "POST /api/auth/logout": { access: "viewer", ok: 204, sample: url("/api/auth/logout") },
  "GET /api/auth/me": { access: "viewer", ok: 200, sample: url("/api/auth/me") },
  // Past the access check a wrong current password is a 400 (the matrix's users have no usable password).
  "POST /api/auth/password": {
    access: "viewer",
    ok: 400,
    sessionOnly: true,
    sample: async () => ({
      url: "/api/auth/password",
      payload: { currentPassword: "not-the-password", newPassword: "a-new-password-0001" },
    }),
  },
  "GET /api/users": { access: "admin", ok: 200, sample: url("/api/users") },
  "POST /api/users": {
    access: "admin",
    ok: 201,
    sample: async () => ({
      url: "/api/users",
      payload: { username: `u${randomBytes(4).toString("hex")}`, password: "a-long-password-1", role: "viewer" },
    }),
  },
  "PATCH /api/users/{id}": {
    access: "admin",
    ok: 200,
    sample: async (f) => ({ url: `/api/users/${await f.user()}`, payload: { role: "operator" } }),
  },
  "DELETE /api/users/{id}": {
    access: "admin",
    ok: 204,
    sample: async (f) => ({ url: `/api/users/${await f.user()}` }),
  },
  "GET /api/tokens": { access: "viewer", ok: 200, sessionOnly: true, sample: url("/api/tokens") },
  "POST /api/tokens": {
    access: "viewer",
    ok: 201,
    sessionOnly: true,
    sample: async () => ({ url: "/api/tokens", payload: { name: "matrix", role: "viewer" } }),
  },
  "DELETE /api/tokens/{id}": {
    access: "viewer",
    ok: 204,
    sessionOnly: true,
    sample: async (f, caller) => ({ url: `/api/tokens/${await f.token(caller)}` }),
  },
  "GET /api/audit": { access: "admin", ok: 200, sample: url("/api/audit") },
  "GET /api/tasks": { access: "viewer", ok: 200, sample: url("/api/tasks") },
  "POST /api/tasks": { access: "admin", ok: 201, sample: async () => ({ url: "/api/tasks", payload: shellTask() }) },
  "GET /api/tasks/{id}": { access: "viewer", ok: 200, sample: async (f) => ({ url: `/api/tasks/${await f.task()}` }) },
  "GET /api/tasks/{id}/dependencies": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/dependencies` }),
  },
  "PUT /api/tasks/{id}": {
    access: "admin",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}`, payload: shellTask() }),
  },
  "PATCH /api/tasks/{id}": {
    access: "operator",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}`, payload: { enabled: false } }),
  },
  "DELETE /api/tasks/{id}": {
    access: "admin",
    ok: 204,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}` }),
  },
  "POST /api/tasks/{id}/run": {
    access: "operator",
    ok: 202,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/run` }),
  },
  "POST /api/tasks/{id}/copy": {
    access: "admin",
    ok: 201,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/copy` }),
  },
  "POST /api/tasks/bulk": {
    access: "operator",
    ok: 200,
    sample: async (f) => ({ url: "/api/tasks/bulk", payload: { action: "disable", ids: [await f.task()] } }),
  },
  "GET /api/tasks/export": { access: "viewer", ok: 200, sample: url("/api/tasks/export") },
  "GET /api/tags": { access: "viewer", ok: 200, sample: url("/api/tags") },
  "POST /api/tasks/plan": {
    access: "viewer",
    ok: 200,
    sample: async () => ({ url: "/api/tasks/plan", payload: { yaml: "version: 1\ntasks: {}\n" } }),
  },
  // A fresh file each time, planned first for its fingerprint, so each allowed caller creates a task.
  "POST /api/tasks/apply": {
    access: "admin",
    ok: 200,
    sample: async (f) => {
      const yaml = `version: 1\ntasks:\n  ${shellTask().name}: {mode: SHELL, cron: "0 0 1 1 *", command: "true"}\n`;
      const planned = await f.app.inject({ method: "POST", url: "/api/tasks/plan", payload: { yaml } });
      return { url: "/api/tasks/apply", payload: { yaml, fingerprint: planned.json().fingerprint } };
    },
  },
  "GET /api/tasks/{id}/runs": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/runs` }),
  },
  "GET /api/tasks/{id}/versions": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/versions` }),
  },
  "GET /api/tasks/{id}/versions/{version}": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/versions/1` }),
  },
  "GET /api/tasks/{id}/versions/{version}/diff": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/versions/1/diff` }),
  },
  "POST /api/tasks/{id}/versions/{version}/revert": {
    access: "admin",
    ok: 200,
    sample: async (f) => ({ url: `/api/tasks/${await f.task()}/versions/1/revert` }),
  },
  "GET /api/runs": { access: "viewer", ok: 200, sample: url("/api/runs") },
  // A dry run: the matrix checks who may, the runs suite what it deletes.
  "POST /api/runs/cleanup": {
    access: "admin",
    ok: 200,
    sample: async () => ({ url: "/api/runs/cleanup", payload: { before: new Date().toISOString(), dryRun: true } }),
  },
  "GET /api/runs/{id}": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/runs/${await f.finishedRun()}` }),
  },
  "GET /api/runs/{id}/output": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/runs/${await f.finishedRun()}/output` }),
  },
  "POST /api/runs/{id}/cancel": {
    access: "operator",
    ok: 202,
    sample: async (f) => ({ url: `/api/runs/${await f.runningRun()}/cancel` }),
  },
  "GET /api/runs/{id}/stream": {
    access: "viewer",
    ok: 200,
    sample: async (f) => ({ url: `/api/runs/${await f.finishedRun()}/stream` }),
  },
  "POST /api/cron/preview": {
    access: "viewer",
    ok: 200,
    sample: async () => ({ url: "/api/cron/preview", payload: { cron: "* * * * *" } }),
  },
  "GET /api/stats": { access: "viewer", ok: 200, sample: url("/api/stats") },
  "GET /api/executors": { access: "viewer", ok: 200, sample: url("/api/executors") },
  "GET /api/settings": { access: "viewer", ok: 200, sample: url("/api/settings") },
  "GET /api/meta": { access: "viewer", ok: 200, sample: url("/api/meta") },
  "GET /api/secrets": { access: "admin", ok: 200, sample: url("/api/secrets") },
  "POST /api/secrets": {
    access: "admin",
    ok: 201,
    sample: async () => ({ url: "/api/secrets", payload: { name: `S_${++secretSeq}`, value: "matrix-value" } }),
  },
  "PUT /api/secrets/{name}": {
    access: "admin",
    ok: 200,
    sample: async (f) => ({ url: `/api/secrets/${await f.secret()}`, payload: { value: "new-value" } }),
  },
  "DELETE /api/secrets/{name}": {
    access: "admin",
    ok: 204,
    sample: async (f) => ({ url: `/api/secrets/${await f.secret()}` }),
  },
  "POST /api/notifications/test": {
    access: "admin",
    ok: 200,
    sample: async () => ({
      url: "/api/notifications/test",
      payload: { notifyChannel: "WEBHOOK", notifyWebhookUrl: "http://127.0.0.1:1/hook" },
    }),
  },
};

type Caller = "anonymous" | "viewer" | "operator" | "admin" | "revoked token" | "expired session";
const CALLERS: Caller[] = ["anonymous", "viewer", "operator", "admin", "revoked token", "expired session"];

function expected(rule: Rule, caller: Caller): number {
  if (rule.access === "public") return rule.ok;
  if (caller === "anonymous" || caller === "revoked token" || caller === "expired session") return 401;
  if (rule.sessionOnly) return 403;
  const rank = { viewer: 0, operator: 1, admin: 2 };
  return rank[caller] >= rank[rule.access] ? rule.ok : 403;
}

describe("access matrix", () => {
  let t: TestApp;
  const headers: Record<Caller, Record<string, string>> = {} as never;
  let routes: Array<{ method: string; path: string }> = [];

  beforeAll(async () => {
    t = await startTestApp("sqlite", { secretsKey: "matrix-secrets-key-0123" });
    const { db } = t.app.database;
    // A real account for the login sample.
    const { hashPassword } = await import("../src/auth/secrets.ts");
    await db.user.create({
      data: { username: "matrix-admin", passwordHash: await hashPassword("matrix-password-123"), role: "admin" },
    });
    headers.anonymous = { authorization: "" };
    for (const role of ["viewer", "operator", "admin"] as const) {
      headers[role] = await roleHeaders(t.app, role, `matrix-${role}-caller`);
    }
    const revoked = await issueToken(t.app, "admin", "matrix-revoked");
    await db.apiToken.updateMany({ where: { tokenHash: sha256(revoked) }, data: { revokedAt: new Date() } });
    headers["revoked token"] = { authorization: `Bearer ${revoked}` };
    const user = await db.user.findUniqueOrThrow({ where: { username: "matrix-admin" } });
    const cookie = randomSecret();
    await db.session.create({
      data: {
        id: sha256(cookie),
        userId: user.id,
        csrfToken: "csrf",
        expiresAt: new Date(Date.now() - 1000),
        lastSeenAt: new Date(),
      },
    });
    headers["expired session"] = { authorization: "", cookie: `crondeck_session=${cookie}`, "x-csrf-token": "csrf" };

    const doc = (await t.app.inject({ method: "GET", url: "/docs/json" })).json();
    routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });
  afterAll(async () => t?.close());

  it("has a rule for every route in the OpenAPI document, and no rule for a route that is gone", () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(
      keys.filter((k) => !(k in RULES)),
      "routes without a rule",
    ).toEqual([]);
    expect(
      Object.keys(RULES).filter((k) => !keys.includes(k)),
      "rules without a route",
    ).toEqual([]);
  });

  it("answers every route × caller with the exact status", async () => {
    const { db } = t.app.database;
    const adminInject = (opts: { method: string; url: string; payload?: object }) =>
      t.app.inject({ ...opts, headers: headers.admin } as never);
    const fixtures: Fixtures = {
      app: t.app,
      task: async () => (await adminInject({ method: "POST", url: "/api/tasks", payload: shellTask() })).json().id,
      finishedRun: async () => {
        const task = (
          await adminInject({ method: "POST", url: "/api/tasks", payload: shellTask({ command: "true" }) })
        ).json().id;
        const runId = (await adminInject({ method: "POST", url: `/api/tasks/${task}/run` })).json().runId;
        await waitForRun(t.app, runId);
        return runId;
      },
      runningRun: async () => {
        const task = (
          await adminInject({ method: "POST", url: "/api/tasks", payload: shellTask({ command: "sleep 20" }) })
        ).json().id;
        const runId = (await adminInject({ method: "POST", url: `/api/tasks/${task}/run` })).json().runId;
        await waitForRun(t.app, runId, (r) => r.status === "RUNNING");
        return runId;
      },
      secret: async () =>
        (
          await adminInject({
            method: "POST",
            url: "/api/secrets",
            payload: { name: `F_${randomBytes(5).toString("hex")}`, value: "fixture-value" },
          })
        ).json().name,
      user: async () =>
        (
          await db.user.create({
            data: { username: `f${randomBytes(5).toString("hex")}`, passwordHash: "!", role: "viewer" },
          })
        ).id,
      token: async (caller) => {
        const secret = randomSecret();
        const owner = ["viewer", "operator", "admin"].includes(caller) ? `matrix-${caller}-caller` : "matrix-admin";
        const user = await db.user.findUniqueOrThrow({ where: { username: owner } });
        return (
          await db.apiToken.create({
            data: { userId: user.id, name: "f", tokenHash: sha256(secret), prefix: "x", role: "viewer" },
          })
        ).id;
      },
    };
    const failures: string[] = [];
    for (const { method, path } of routes) {
      const rule = RULES[`${method} ${path}`] as Rule;
      for (const caller of CALLERS) {
        const sample = await rule.sample(fixtures, caller);
        const res = await t.app.inject({
          method: method as "GET",
          url: sample.url,
          payload: sample.payload as object,
          headers: headers[caller],
        });
        const want = expected(rule, caller);
        if (res.statusCode !== want)
          failures.push(
            `${method} ${path} as ${caller}: ${res.statusCode}, expected ${want} (${res.body.slice(0, 120)})`,
          );
      }
    }
    // Stop the runs the cancel samples started but did not cancel.
    for (const id of t.app.engine.live.ids()) t.app.engine.live.cancel(id, "test over");
    expect(failures).toEqual([]);
  }, 120_000);
});

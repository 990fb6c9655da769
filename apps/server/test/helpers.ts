import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@crondeck/db/testing";
import type { FastifyInstance, InjectOptions } from "fastify";
import { type BuildOptions, buildApp, type Config, loadConfig } from "../src/app.ts";
import type { Role } from "../src/auth/roles.ts";
import { sha256 } from "../src/auth/secrets.ts";

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  /** An admin API token (app.inject already sends it). */
  token: string;
  close(): Promise<void>;
}

/** A real app on a fresh database of the given kind; close() stops it and drops the database. */
export async function startTestApp(
  provider: "sqlite" | "mysql",
  overrides: Partial<Config> = {},
  modules: Pick<BuildOptions, "modes" | "channels" | "logger"> = {},
): Promise<TestApp> {
  const database = createTestDatabase(provider);
  const config = loadConfig(
    { TZ: "UTC" },
    { databaseUrl: database.url, logLevel: "silent", webDist: "/nonexistent", scheduler: false, ...overrides },
  );
  const app = await buildApp(config, { logger: false, ...modules });
  await app.ready();
  const token = await actAs(app, "admin");
  return {
    app,
    database,
    token,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/**
 * A real app on an existing database, signed in as admin through inject; close() leaves the
 * database (several apps may share it, as instances do).
 */
export async function appOn(
  databaseUrl: string,
  options: {
    scheduler?: boolean;
    instanceName?: string;
    stopGraceMs?: number;
    natsUrl?: string;
    dispatchTimeoutMs?: number;
  } = {},
): Promise<FastifyInstance> {
  const app = await buildApp(
    loadConfig(
      { TZ: "UTC" },
      {
        databaseUrl,
        scheduler: options.scheduler ?? false,
        logLevel: "silent",
        webDist: "/nonexistent",
        ...(options.instanceName ? { instanceName: options.instanceName } : {}),
        ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
        ...(options.dispatchTimeoutMs ? { dispatchTimeoutMs: options.dispatchTimeoutMs } : {}),
      },
    ),
    { logger: false, engine: { stopGraceMs: options.stopGraceMs ?? 5_000 } },
  );
  await app.ready();
  await actAs(app, "admin");
  return app;
}

/** The headers of a caller with that role (its API token), for app.inject. */
export async function roleHeaders(
  app: FastifyInstance,
  role: Role,
  username?: string,
): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await issueToken(app, role, username)}` };
}

/** Creates (once) a user of that role and an API token for it; returns the token. */
export async function issueToken(app: FastifyInstance, role: Role, username = `test-${role}`): Promise<string> {
  const { db } = app.database;
  // Not a usable password hash: these users can only use their tokens.
  const user = await db.user.upsert({ where: { username }, create: { username, role, passwordHash: "!" }, update: {} });
  const token = `cdk_test_${randomBytes(16).toString("hex")}`;
  await db.apiToken.create({
    data: { userId: user.id, name: "test", tokenHash: sha256(token), prefix: token.slice(0, 10), role },
  });
  return token;
}

/**
 * Makes `app.inject` send a token of that role unless the request sets its own Authorization
 * (an empty one means anonymous), so tests read as plain API calls.
 */
export async function actAs(app: FastifyInstance, role: Role): Promise<string> {
  const token = await issueToken(app, role);
  const original = (app as { __inject?: FastifyInstance["inject"] }).__inject ?? app.inject.bind(app);
  (app as { __inject?: FastifyInstance["inject"] }).__inject = original;
  const inject = (opts: InjectOptions) => {
    const headers = { authorization: `Bearer ${token}`, ...(opts.headers ?? {}) } as Record<string, string>;
    if (headers.authorization === "") delete headers.authorization;
    return original({ ...opts, headers });
  };
  (app as unknown as { inject: typeof inject }).inject = inject;
  return token;
}

/** A SHELL task input with the given changes. */
export function shellTask(changes: Record<string, unknown> = {}) {
  return {
    name: `task-${Math.random().toString(36).slice(2, 10)}`,
    mode: "SHELL",
    cron: "*/5 * * * *",
    command: "echo hi",
    ...changes,
  };
}

export async function taskCount(app: FastifyInstance): Promise<number> {
  return app.database.db.task.count();
}

type RunJson = { id: number; status: string; attempt: number; trigger: string; output: string; [key: string]: unknown };

const FINAL = ["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED", "SKIPPED", "LOST"];

/** Polls a run through the API until `until` holds (default: a final status). */
export async function waitForRun(
  app: FastifyInstance,
  runId: number,
  until: (run: RunJson) => boolean = (run) => FINAL.includes(run.status),
  timeoutMs = 30_000,
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: "GET", url: `/api/runs/${runId}` });
    if (res.statusCode === 200 && until(res.json())) return res.json();
    if (Date.now() > deadline) throw new Error(`run ${runId} never got there: ${res.body.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function createTask(app: FastifyInstance, changes: Record<string, unknown> = {}) {
  const res = await app.inject({ method: "POST", url: "/api/tasks", payload: shellTask(changes) });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  return res.json() as { id: number; name: string; nextRunAt: string | null };
}

export async function runNow(app: FastifyInstance, taskId: number): Promise<number> {
  const res = await app.inject({ method: "POST", url: `/api/tasks/${taskId}/run` });
  if (res.statusCode !== 202) throw new Error(`run failed: ${res.statusCode} ${res.body}`);
  return res.json().runId as number;
}

export async function taskRuns(app: FastifyInstance, taskId: number, query = "pageSize=200") {
  const res = await app.inject({ method: "GET", url: `/api/tasks/${taskId}/runs?${query}` });
  return res.json().items as RunJson[];
}

/**
 * Headers of a signed-in dashboard session of that user (created straight in the database, as a
 * sign-in would), for the routes refused to API tokens. Writes carry the CSRF token.
 */
export async function sessionHeaders(app: FastifyInstance, username: string): Promise<Record<string, string>> {
  const { db } = app.database;
  const user = await db.user.findUniqueOrThrow({ where: { username } });
  const secret = randomBytes(24).toString("base64url");
  const csrfToken = randomBytes(16).toString("hex");
  await db.session.create({
    data: {
      id: sha256(secret),
      userId: user.id,
      csrfToken,
      expiresAt: new Date(Date.now() + 3_600_000),
      lastSeenAt: new Date(),
    },
  });
  return { authorization: "", cookie: `crondeck_session=${secret}`, "x-csrf-token": csrfToken };
}

/** What the database holds for a task's mode and channels, secrets unmasked: for checking stores. */
export async function storedSettings(app: FastifyInstance, id: number) {
  const row = await app.database.db.task.findUniqueOrThrow({ where: { id } });
  return {
    row,
    mode: JSON.parse(row.modeSettings) as Record<string, unknown>,
    notify: JSON.parse(row.notifySettings) as Record<string, Record<string, unknown>>,
  };
}

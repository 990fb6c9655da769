import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { startHttpTarget } from "@crondeck/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { actAs, appOn, createTask, eventually, startTestApp, type TestApp } from "./helpers.ts";

// Armed tasks hold only their schedule (engine/task-rows.ts): the whole row is read when a slot is
// prepared or fired, and the engine moves each task's next-run key on as its slots pass.

const providers = await testProviders();

describe.each(providers)("tasks armed by their schedule on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true });
  });
  afterAll(async () => t?.close());

  it("fires a slot with the task as it is then: an edit between arming and the fire is honoured", async () => {
    const task = await createTask(t.app, { cron: "* * * * * *", command: "echo version-1" });
    const db = t.app.database.db;
    const succeeded = (after: number) =>
      db.run.findMany({ where: { taskId: task.id, status: "SUCCEEDED", scheduledAt: { gt: new Date(after) } } });
    await eventually(
      async () => ((await succeeded(0)).some((r) => r.output.includes("version-1")) ? true : undefined),
      10_000,
      "a fire of the first version",
    );
    // Same schedule, so the armed slot (and a claim made ahead with the old row) stays.
    const edited = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { command: "echo version-2" },
    });
    expect(edited.statusCode).toBe(200);
    const editedAt = Date.now();
    const runs = await eventually(
      async () => {
        const later = await succeeded(editedAt);
        return later.length >= 2 ? later : undefined;
      },
      10_000,
      "two fires after the edit",
    );
    for (const run of runs) expect(run.output).toContain("version-2");
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
  });

  it("honours an edit made after the slot was claimed ahead with the old row", async () => {
    const task = await createTask(t.app, { cron: "*/2 * * * * *", command: "echo before-claim" });
    const db = t.app.database.db;
    // Edited within the lead: the claim (QUEUED) exists, its instant has not come.
    const claimed = await eventually(
      async () =>
        (await db.run.findFirst({ where: { taskId: task.id, status: "QUEUED" }, orderBy: { id: "desc" } })) ??
        undefined,
      10_000,
      "a slot claimed ahead",
    );
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { command: "echo after-claim" } });
    const editedAt = Date.now();
    const run = await eventually(
      async () => {
        const found = await db.run.findUnique({ where: { id: claimed.id } });
        return found?.finishedAt ? found : undefined;
      },
      10_000,
      "the claimed slot to run",
    );
    // Only meaningful when the edit landed before the slot's instant (the poll may be late).
    if (editedAt < claimed.scheduledAt.getTime()) expect(run.output).toContain("after-claim");
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
  });

  it("moves the task's next-run key on as its slots pass", async () => {
    // Written every 300 ms here (5 s by default). Only the engine writes them with the scheduler on
    // (the list recomputes passed keys only when asked to sort by them).
    const database = createTestDatabase(provider);
    const app = await buildApp(
      loadConfig({ TZ: "UTC" }, { databaseUrl: database.url, logLevel: "silent", webDist: "/nonexistent" }),
      { logger: false, engine: { timings: { nextRunFlushMs: 300 } } },
    );
    await app.ready();
    await actAs(app, "admin");
    try {
      await keysMoveOn(app);
    } finally {
      await app.close();
      await database.drop();
    }
  });
});

/** A per-second task's Task.nextRunAtMs, read every 100 ms for 4.5 s, then after it is disabled. */
async function keysMoveOn(app: FastifyInstance): Promise<void> {
  const task = await createTask(app, { cron: "* * * * * *", command: "true" });
  const db = app.database.db;
  const keys = new Set<number>();
  const deadline = Date.now() + 4_500;
  while (Date.now() < deadline) {
    const row = await db.task.findUniqueOrThrow({ where: { id: task.id }, select: { nextRunAtMs: true } });
    const key = Number(row.nextRunAtMs);
    keys.add(key);
    expect(key % 1000).toBe(0);
    // Never more than the flush interval and a slot behind.
    expect(key).toBeGreaterThan(Date.now() - 2_000);
    await sleep(100);
  }
  expect(keys.size).toBeGreaterThanOrEqual(3);
  await app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
  const disabled = await db.task.findUniqueOrThrow({ where: { id: task.id }, select: { nextRunAtMs: true } });
  // Disabled: the API's key (never) stays, whatever fired just before is not written over it.
  await sleep(1_500);
  const later = await db.task.findUniqueOrThrow({ where: { id: task.id }, select: { nextRunAtMs: true } });
  expect(Number(later.nextRunAtMs)).toBe(Number(disabled.nextRunAtMs));
  expect(new Date(Number(later.nextRunAtMs)).getUTCFullYear()).toBe(9999);
}

describe.each(providers)("start-up with many tasks on %s", (provider) => {
  const TASKS = 2_000;
  let database: ReturnType<typeof createTestDatabase>;
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    database = createTestDatabase(provider);
    target = await startHttpTarget(() => ({ body: "ok" }));
  });
  afterAll(async () => {
    await target?.close();
    await database?.drop();
  });

  it("runs the latest missed slot of every RUN_LATEST task once, and nothing of the SKIP ones", async () => {
    // Migrates the database; the tasks are then written as another instance or an import would.
    const first = await appOn(database.url);
    // Daily at midnight UTC, created two days ago, 25 h of grace: today's midnight is missed.
    const createdAt = new Date(Date.now() - 2 * 86_400_000);
    await first.database.db.task.createMany({
      data: Array.from({ length: TASKS }, (_, i) => ({
        name: `daily-${i}`,
        nameKey: `daily-${i}`,
        mode: "HTTP",
        modeSettings: JSON.stringify({
          command: `${target.url}/hit/${i}`,
          httpMethod: "GET",
          httpHeaders: {},
          httpBody: null,
        }),
        notifySettings: "{}",
        notifyKeywords: "[]",
        env: "{}",
        searchText: `daily-${i}`,
        cron: "0 0 * * *",
        timezone: "UTC",
        misfirePolicy: i % 2 === 0 ? "RUN_LATEST" : "SKIP",
        misfireGraceSeconds: 25 * 3_600,
        concurrencyPolicy: "ALLOW",
        createdAt,
      })),
    });
    await first.close();

    const startedAt = Date.now();
    const app = await appOn(database.url, { scheduler: true });
    try {
      await app.engine.whenArmed();
      expect(app.engine.load.armed).toBe(TASKS);
      const db = app.database.db;
      const runs = await eventually(
        async () => {
          const all = await db.run.findMany({
            select: { taskId: true, scheduledAt: true, status: true, trigger: true },
          });
          return all.length >= TASKS / 2 && all.every((r) => r.status === "SUCCEEDED") ? all : undefined;
        },
        120_000,
        "every RUN_LATEST task's missed slot to run",
      );
      const ids = await db.task.findMany({ select: { id: true, misfirePolicy: true } });
      const runLatest = new Set(ids.filter((t) => t.misfirePolicy === "RUN_LATEST").map((t) => t.id));
      expect(runs).toHaveLength(TASKS / 2);
      expect(new Set(runs.map((r) => r.taskId))).toEqual(runLatest);
      const midnight = Math.floor(startedAt / 86_400_000) * 86_400_000;
      for (const run of runs) {
        expect(run.trigger).toBe("SCHEDULE");
        expect(run.scheduledAt.getTime()).toBe(midnight);
      }
    } finally {
      await app.close();
    }
  }, 180_000);
});

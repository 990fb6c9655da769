import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, eventually, runNow, startTestApp, type TestApp, taskRuns, waitForRun } from "./helpers.ts";

// Runs at volume (issue 11): the task's kept last result, retention in bounded batches, and the
// dashboard's counts kept per hour, each against a real database.

const providers = await testProviders();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(providers)("runs at volume on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true });
  });
  afterAll(async () => t?.close());

  const db = () => t.app.database.db;
  const lastRun = async (name: string) => {
    const res = await t.app.inject({ method: "GET", url: `/api/tasks?q=${encodeURIComponent(name)}` });
    return res.json().items[0].lastRun as { id: number; status: string; finishedAt: string | null } | null;
  };
  const stats = async () => (await t.app.inject({ method: "GET", url: "/api/stats" })).json();
  /** A stored run of the task, ended, as plain rows (not run by the engine). */
  const storedRun = (taskId: number, changes: Record<string, unknown> = {}) => {
    const at = (changes.scheduledAt as Date | undefined) ?? new Date();
    return db().run.create({
      data: {
        taskId,
        trigger: "SCHEDULE",
        scheduledAt: at,
        status: "SUCCEEDED",
        startedAt: at,
        finishedAt: new Date(at.getTime() + 1000),
        output: "",
        matchedKeywords: "[]",
        ...changes,
      },
    });
  };

  it("keeps a task's last result as attempts end: retries replace it, the newest wins, SKIPPED never does", async () => {
    const task = await createTask(t.app, {
      name: "last-retrying",
      command: "exit 3",
      cron: "0 0 1 1 *",
      retryCount: 1,
      retryIntervalSeconds: 1,
    });
    expect(await lastRun("last-retrying")).toBeNull();
    const first = await runNow(t.app, task.id);
    const failed = await waitForRun(t.app, first);
    expect(await lastRun("last-retrying")).toEqual({ id: first, status: "FAILED", finishedAt: failed.finishedAt });
    // The retry ends: it is the last result now.
    const retry = await eventually(async () => {
      const runs = await taskRuns(t.app, task.id);
      return runs.find((r) => r.attempt === 2 && r.status === "FAILED");
    }, 30_000);
    expect(await lastRun("last-retrying")).toMatchObject({ id: retry.id, status: "FAILED" });

    // An older attempt that ends late (or is recorded again) does not replace a newer one, and a
    // SKIPPED one is not a result.
    const older = await db().run.findUniqueOrThrow({ where: { id: first } });
    await t.app.engine.store.recordLastResults([{ ...older, status: "SUCCEEDED" }]);
    const skipped = await storedRun(task.id, { status: "SKIPPED", startedAt: null });
    await t.app.engine.store.recordLastResults([skipped]);
    expect(await lastRun("last-retrying")).toMatchObject({ id: retry.id, status: "FAILED" });

    // Sorting by last result reads the kept column.
    const sorted = await t.app.inject({ method: "GET", url: "/api/tasks?sort=lastStatus&order=asc&q=last-retrying" });
    expect(sorted.json().items.map((i: { id: number }) => i.id)).toEqual([task.id]);
  });

  it("forgets a last result that cleanup deletes, and keeps the others", async () => {
    const gone = await createTask(t.app, { name: "last-cleaned", cron: "0 0 1 1 *" });
    const kept = await createTask(t.app, { name: "last-kept", cron: "0 0 1 1 *" });
    const old = await storedRun(gone.id, { scheduledAt: new Date(Date.now() - 10 * DAY), status: "FAILED" });
    const recent = await storedRun(kept.id, { scheduledAt: new Date(Date.now() - 2 * HOUR) });
    await t.app.engine.store.recordLastResults([old, recent]);
    expect(await lastRun("last-cleaned")).toMatchObject({ id: old.id, status: "FAILED" });

    const res = await t.app.inject({
      method: "POST",
      url: "/api/runs/cleanup",
      payload: { before: new Date(Date.now() - 5 * DAY).toISOString() },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await db().run.count({ where: { id: old.id } })).toBe(0);
    expect(await lastRun("last-cleaned")).toBeNull();
    expect(await lastRun("last-kept")).toMatchObject({ id: recent.id, status: "SUCCEEDED" });
  });

  it("prunes by age and per task in batches smaller than the work, never the last 24 hours", async () => {
    const task = await createTask(t.app, { name: "pruned", cron: "0 0 1 1 *" });
    const other = await createTask(t.app, { name: "pruned-other", cron: "0 0 1 1 *" });
    const stored = (taskId: number, scheduledAt: number, finishedAt: number, status = "SUCCEEDED") => ({
      taskId,
      trigger: "SCHEDULE",
      scheduledAt: new Date(scheduledAt),
      status,
      finishedAt: new Date(finishedAt),
      output: "",
      matchedKeywords: "[]",
    });
    const now = Date.now();
    // 250 runs 40 days old, 30 runs 10 days old, 5 scheduled an hour ago that finished "long ago"
    // (clock trouble: still kept, as cleanup keeps them), 1 still running from 40 days ago.
    await db().run.createMany({
      data: Array.from({ length: 250 }, (_, i) => stored(task.id, now - 40 * DAY + i, now - 40 * DAY + i)),
    });
    await db().run.createMany({
      data: Array.from({ length: 30 }, (_, i) => stored(task.id, now - 10 * DAY + i, now - 10 * DAY + i)),
    });
    await db().run.createMany({
      data: Array.from({ length: 5 }, (_, i) => stored(task.id, now - HOUR + i, now - 40 * DAY)),
    });
    await db().run.create({ data: { ...stored(task.id, now - 40 * DAY, now), status: "RUNNING", finishedAt: null } });
    await db().run.createMany({
      data: Array.from({ length: 12 }, (_, i) => stored(other.id, now - 10 * DAY + i, now - 10 * DAY + i)),
    });

    // Retention of 30 days, 20 runs a task, 7 rows a statement.
    const removed = await t.app.engine.store.prune({ olderThan: new Date(now - 30 * DAY), perTask: 20, batch: 7 });
    const left = await db().run.findMany({ where: { taskId: task.id }, orderBy: { id: "asc" } });
    // The 250 old ones by age; of the 30 ten days old, all but the newest 14 (20 kept: those 14,
    // the 5 recent ones and the running one); the other task is under its limit.
    expect(left.filter((r) => r.scheduledAt.getTime() < now - 20 * DAY).map((r) => r.status)).toEqual(["RUNNING"]);
    expect(left.filter((r) => r.scheduledAt.getTime() > now - 2 * HOUR)).toHaveLength(5);
    expect(left).toHaveLength(20);
    expect(await db().run.count({ where: { taskId: other.id } })).toBe(12);
    expect(removed).toBe(250 + 16);
  });

  it("keeps the dashboard's counts exact as runs in a counted hour change, are retried and are deleted", async () => {
    const task = await createTask(t.app, { name: "counted", cron: "0 0 1 1 *" });
    const at = new Date(Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR + 60_000);
    const hourKey = new Date(Math.floor(at.getTime() / HOUR) * HOUR).toISOString();
    type Counts = { FAILED: number; RUNNING: number; SUCCEEDED: number };
    const hourOf = (s: { runsByHour24h: Array<{ start: string; counts: Counts }> }) =>
      s.runsByHour24h.find((b) => b.start === hourKey)?.counts as Counts;
    const before = hourOf(await stats());

    const first = await storedRun(task.id, { scheduledAt: at, status: "FAILED", fireKey: "S1", attempt: 1 });
    let now = hourOf(await stats());
    expect(now.FAILED - before.FAILED).toBe(1);

    // Its retry: the fire counts once, by its latest attempt.
    const retry = await storedRun(task.id, {
      scheduledAt: at,
      status: "RUNNING",
      finishedAt: null,
      fireKey: "S1",
      attempt: 2,
      rootRunId: first.id,
      trigger: "RETRY",
    });
    now = hourOf(await stats());
    expect([now.FAILED - before.FAILED, now.RUNNING - before.RUNNING]).toEqual([0, 1]);

    // The retry ends (a write to a run in an hour already counted).
    await db().run.update({ where: { id: retry.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
    now = hourOf(await stats());
    expect([now.FAILED - before.FAILED, now.RUNNING - before.RUNNING, now.SUCCEEDED - before.SUCCEEDED]).toEqual([
      0, 0, 1,
    ]);

    // Deleted through cleanup: of runs three days old (the last 24 h are always kept), counted
    // in their day, which is read before and after.
    const old = new Date(Math.floor(Date.now() / DAY) * DAY - 3 * DAY + HOUR);
    const dayKey = new Date(Math.floor(old.getTime() / DAY) * DAY).toISOString();
    const dayOf = (s: { runsByDay7d: Array<{ start: string; counts: Record<string, number> }> }) =>
      s.runsByDay7d.find((b) => b.start === dayKey)?.counts.LOST as number;
    const dayBefore = dayOf(await stats());
    await storedRun(task.id, { scheduledAt: old, status: "LOST" });
    await storedRun(task.id, { scheduledAt: old, status: "LOST" });
    expect(dayOf(await stats()) - dayBefore).toBe(2);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/runs/cleanup",
      payload: { before: new Date().toISOString(), taskId: task.id },
    });
    expect(res.json().runs).toBe(2);
    expect(dayOf(await stats())).toBe(dayBefore);
  });

  it("says when a runs page counted only part of what matches", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/runs?pageSize=1" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.totalCapped).toBe(false);
    expect(body.total).toBe(await db().run.count());
  });
});

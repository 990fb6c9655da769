import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, roleHeaders, runNow, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

// The global runs page (issue 15): GET /api/runs filtered by task, status, trigger, executor and
// time; POST /api/runs/cleanup deletes ended runs older than a date (admin, audited), never
// the last day's, never a run still going. On both databases.

const providers = await testProviders();
const DAY = 86_400_000;

describe.each(providers)("runs list filters and cleanup on %s", (provider) => {
  let t: TestApp;
  let operator: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp(provider);
    operator = await roleHeaders(t.app, "operator");
  });
  afterAll(async () => t?.close());

  const db = () => t.app.database.db;
  const list = (query: string) => t.app.inject({ method: "GET", url: `/api/runs?${query}` });
  const cleanup = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/api/runs/cleanup", payload: payload as object, headers });

  /** A finished run of the task, moved back in time by `daysAgo`, with one notification. */
  async function oldRun(taskId: number, daysAgo: number, changes: Record<string, unknown> = {}) {
    const id = await runNow(t.app, taskId);
    await waitForRun(t.app, id);
    const at = new Date(Date.now() - daysAgo * DAY);
    await db().run.update({
      where: { id },
      data: { scheduledAt: at, startedAt: at, finishedAt: new Date(at.getTime() + 1000), ...changes },
    });
    await db().notification.create({
      data: { runId: id, channel: "WEBHOOK", target: "http://x.test/hook", ok: true, attempts: 1, sentAt: at },
    });
    return id;
  }
  const exists = async (id: number) => (await db().run.count({ where: { id } })) === 1;

  describe("GET /api/runs", () => {
    it("filters by task, status, trigger, executor and scheduled time, together", async () => {
      const a = await createTask(t.app, { command: "exit 0" });
      const b = await createTask(t.app, { command: "exit 2" });
      const a1 = await oldRun(a.id, 3);
      const a2 = await oldRun(a.id, 1.5, { trigger: "SCHEDULE", executor: "host-a:1" });
      const b1 = await oldRun(b.id, 2);
      const ids = async (query: string) => {
        const res = await list(query);
        expect(res.statusCode, res.body).toBe(200);
        return (res.json().items as { id: number }[]).map((r) => r.id);
      };
      expect(await ids(`taskId=${a.id}`)).toEqual([a2, a1]);
      expect(await ids(`taskId=${b.id}&status=FAILED`)).toEqual([b1]);
      expect(await ids(`taskId=${b.id}&status=SUCCEEDED`)).toEqual([]);
      expect(await ids(`taskId=${a.id}&trigger=SCHEDULE`)).toEqual([a2]);
      expect(await ids(`taskId=${a.id}&trigger=MANUAL`)).toEqual([a1]);
      expect(await ids("executor=host-a:1")).toEqual([a2]);
      const from = new Date(Date.now() - 2.5 * DAY).toISOString();
      const to = new Date(Date.now() - DAY).toISOString();
      expect(await ids(`from=${from}&to=${to}`)).toEqual([b1, a2]);
      const page = (await list(`taskId=${a.id}&pageSize=1&page=2`)).json();
      expect(page).toMatchObject({ total: 2, page: 2, pageSize: 1 });
      expect(page.items[0]).toMatchObject({ id: a1, taskName: a.name });
    });

    it("counts each run's notifications and finds the runs whose notification failed", async () => {
      const task = await createTask(t.app);
      const fine = await oldRun(task.id, 3);
      const failed = await oldRun(task.id, 3);
      await db().notification.create({
        data: {
          runId: failed,
          channel: "EMAIL",
          target: "ops@x.test",
          ok: false,
          error: "550",
          attempts: 3,
          sentAt: new Date(),
        },
      });
      const res = await list(`taskId=${task.id}`);
      const items = res.json().items as { id: number; notificationsSent: number; notificationsFailed: number }[];
      expect(items.find((r) => r.id === fine)).toMatchObject({ notificationsSent: 1, notificationsFailed: 0 });
      expect(items.find((r) => r.id === failed)).toMatchObject({ notificationsSent: 2, notificationsFailed: 1 });
      const onlyFailed = (await list(`taskId=${task.id}&notifyFailed=true`)).json();
      expect(onlyFailed.items.map((r: { id: number }) => r.id)).toEqual([failed]);
      expect(onlyFailed.total).toBe(1);
      // The task's own run list carries the same counts.
      const own = (await t.app.inject({ method: "GET", url: `/api/tasks/${task.id}/runs` })).json();
      expect(own.items[0]).toMatchObject({ id: failed, notificationsFailed: 1 });
    });

    it("refuses a bad filter with 400 naming it", async () => {
      for (const [query, field] of [
        ["trigger=CRON", "trigger"],
        ["status=DONE", "status"],
        ["from=yesterday", "from"],
        ["taskId=0", "taskId"],
        ["owner=me", "owner"],
        ["notifyFailed=maybe", "notifyFailed"],
        [`from=${new Date().toISOString()}&to=${new Date(Date.now() - DAY).toISOString()}`, "to"],
      ] as const) {
        const res = await list(query);
        expect(res.statusCode, query).toBe(400);
        expect(res.json().code).toBe("VALIDATION_FAILED");
        expect(res.json().details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });
  });

  describe("POST /api/runs/cleanup", () => {
    it("counts on a dry run and deletes nothing, writing no audit entry", async () => {
      const task = await createTask(t.app);
      const old = await oldRun(task.id, 10);
      const audits = await db().auditEntry.count({ where: { action: "runs.cleanup" } });
      const res = await cleanup({
        before: new Date(Date.now() - 5 * DAY).toISOString(),
        taskId: task.id,
        dryRun: true,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ runs: 1, dryRun: true });
      expect(await exists(old)).toBe(true);
      expect(await db().auditEntry.count({ where: { action: "runs.cleanup" } })).toBe(audits);
    });

    it("deletes one task's ended runs that finished before the date, with their notifications, and audits it", async () => {
      const task = await createTask(t.app);
      const other = await createTask(t.app);
      const old = await oldRun(task.id, 10);
      const older = await oldRun(task.id, 20, { status: "FAILED" });
      const newer = await oldRun(task.id, 3);
      const stillRunning = await oldRun(task.id, 30, { status: "RUNNING", finishedAt: null });
      const othersOld = await oldRun(other.id, 10);
      const before = new Date(Date.now() - 5 * DAY).toISOString();

      const res = await cleanup({ before, taskId: task.id });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ runs: 2, dryRun: false });
      expect(Math.abs(Date.parse(body.keptSince) - (Date.now() - DAY))).toBeLessThan(60_000);
      expect(await exists(old)).toBe(false);
      expect(await exists(older)).toBe(false);
      expect(await db().notification.count({ where: { runId: { in: [old, older] } } })).toBe(0);
      for (const kept of [newer, stillRunning, othersOld]) expect(await exists(kept), `run ${kept}`).toBe(true);

      const audit = await db().auditEntry.findFirst({ where: { action: "runs.cleanup" }, orderBy: { id: "desc" } });
      expect(audit).toMatchObject({ targetType: "run", taskId: task.id, actorName: "test-admin" });
      expect(JSON.parse(audit?.after ?? "{}")).toMatchObject({ before, taskId: task.id, deleted: 2 });
      await db().run.update({ where: { id: stillRunning }, data: { status: "CANCELED", finishedAt: new Date() } });
    });

    it("across all tasks keeps the last 24 hours whatever the date given", async () => {
      const task = await createTask(t.app);
      const recent = await oldRun(task.id, 0.5);
      const old = await oldRun(task.id, 2);
      const res = await cleanup({ before: new Date(Date.now() + DAY).toISOString() });
      expect(res.statusCode, res.body).toBe(200);
      expect(await exists(old)).toBe(false);
      expect(await exists(recent)).toBe(true);
      const audit = await db().auditEntry.findFirst({ where: { action: "runs.cleanup" }, orderBy: { id: "desc" } });
      expect(audit?.taskId).toBeNull();
    });

    it("refuses bad input with 400 naming the field and deletes nothing", async () => {
      const task = await createTask(t.app);
      const old = await oldRun(task.id, 10);
      const count = await db().run.count();
      for (const [payload, field] of [
        [{}, "before"],
        [{ before: "last week" }, "before"],
        [{ before: new Date().toISOString(), taskId: 99_999 }, "taskId"],
        [{ before: new Date().toISOString(), taskId: "1" }, "taskId"],
        [{ before: new Date().toISOString(), olderThanDays: 3 }, "olderThanDays"],
      ] as const) {
        const res = await cleanup(payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await db().run.count()).toBe(count);
      expect(await exists(old)).toBe(true);
    });

    it("is for admins only", async () => {
      const task = await createTask(t.app);
      const old = await oldRun(task.id, 10);
      const res = await cleanup({ before: new Date().toISOString(), taskId: task.id }, operator);
      expect(res.statusCode).toBe(403);
      expect(await exists(old)).toBe(true);
    });
  });
});

import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { describe, expect, it } from "vitest";
import { startInstance, waitFor } from "./faults/instances.ts";
import { appOn, createTask, eventually, runNow, startTestApp, taskRuns, waitForRun } from "./helpers.ts";

const providers = await testProviders();

describe.each(providers)("faults on %s", (provider) => {
  it("marks the RUNNING run of a killed process LOST at the next start, and retries it", async () => {
    const db = createTestDatabase(provider);
    const first = await appOn(db.url);
    const task = await createTask(first, { command: "echo working; sleep 3", retryCount: 1, retryIntervalSeconds: 0 });
    await first.close();

    // A default INSTANCE_NAME (host:pid): the restart below knows it dead by its pid.
    const child = await startInstance({ DATABASE_URL: db.url, SCHEDULER: "off", RUN_TASK_ID: String(task.id) });
    const runId = await waitFor(() => child.lines.find((l) => l.runId)?.runId as number | undefined, 30_000, "run id");
    await child.kill("SIGKILL");

    const second = await appOn(db.url);
    try {
      const lost = await waitForRun(second, runId, (r) => r.status !== "RUNNING", 5000);
      expect(lost.status).toBe("LOST");
      expect(lost.error).toMatch(/stopped answering/);
      expect(lost).toMatchObject({ errorCode: "LOST", errorParams: null });
      const runs = await eventually(
        async () => {
          const all = await taskRuns(second, task.id);
          return all.some((r) => r.attempt === 2 && r.status === "SUCCEEDED") ? all : undefined;
        },
        15_000,
        "the retry after LOST",
      );
      expect(runs.find((r) => r.attempt === 2)).toMatchObject({ trigger: "RETRY", rootRunId: runId });
      // Nothing is left RUNNING.
      expect(runs.every((r) => r.status !== "RUNNING")).toBe(true);
    } finally {
      await second.close();
      await db.drop();
    }
  });

  it("waits for runs under way on a graceful stop, and cancels what outlives the grace", async () => {
    const t = await startTestApp(provider);
    const quick = await createTask(t.app, { command: "sleep 1; echo done" });
    const slow = await createTask(t.app, { command: "sleep 30" });
    const quickRun = await runNow(t.app, quick.id);
    const slowRun = await runNow(t.app, slow.id);
    // Both under way before the stop (on a busy machine the first may still be starting), and a
    // grace the quick one's 1 s fits in with room to spare.
    await waitForRun(t.app, quickRun, (r) => r.status !== "QUEUED");
    await waitForRun(t.app, slowRun, (r) => r.status === "RUNNING");
    await t.app.engine.stop(5000);
    const rows = await t.app.database.db.run.findMany({
      where: { id: { in: [quickRun, slowRun] } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.status)).toEqual(["SUCCEEDED", "CANCELED"]);
    expect(rows[1]?.error).toMatch(/shutting down/);
    expect(rows[1]?.errorCode).toBe("CANCELED_SHUTDOWN");
    await t.close();
  });

  it("keeps no run RUNNING when the database disappears under it", async () => {
    if (provider !== "mysql") return; // dropping a SQLite file under an open handle changes nothing
    const t = await startTestApp(provider);
    const task = await createTask(t.app, { command: "sleep 1" });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId, (r) => r.status === "RUNNING");
    await t.database.drop();
    // The run cannot be recorded; the app stays up and answers not ready.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    // Its end is kept for the database until the stop's grace is over; keep that short here.
    await t.app.engine.stop(500);
    await t.close();
  });
});

describe.each(providers)("two scheduler instances on one %s database", (provider) => {
  it("fire a per-second task for 30 s with no duplicate and no missing slot", async () => {
    const db = createTestDatabase(provider);
    const a = await appOn(db.url, { scheduler: true, instanceName: "instance-a:1" });
    const b = await appOn(db.url, { scheduler: true, instanceName: "instance-b:2" });
    try {
      const task = await createTask(a, { cron: "* * * * * *", command: "echo slot", concurrencyPolicy: "ALLOW" });
      // Instance b learns about the task through its periodic task sync, as a second server would.
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      // Stopping both engines waits for every fire under way, so no run is read while RUNNING
      // (instance b would keep firing until its next task sync after a disable through a).
      await Promise.all([a.engine.stop(5000), b.engine.stop(5000)]);
      const runs = await a.database.db.run.findMany({ where: { taskId: task.id }, orderBy: { scheduledAt: "asc" } });
      const slots = runs.map((r) => r.scheduledAt.getTime());
      expect(new Set(slots).size, "no slot recorded twice").toBe(slots.length);
      const firstSlot = slots[0] as number;
      const lastSlot = slots.at(-1) as number;
      expect((lastSlot - firstSlot) / 1000 + 1, "no slot missing between the first and the last").toBe(slots.length);
      expect(slots.length).toBeGreaterThanOrEqual(28);
      expect(runs.filter((r) => r.status !== "SUCCEEDED").map((r) => [r.status, r.error])).toEqual([]);
      const executors = new Set(runs.map((r) => r.executor));
      expect([...executors].every((e) => e === "instance-a:1" || e === "instance-b:2")).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 60_000);
});

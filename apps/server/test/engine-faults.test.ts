import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { actAs, createTask, eventually, runNow, startTestApp, taskRuns, waitForRun } from "./helpers.ts";

const providers = await testProviders();

async function appOn(databaseUrl: string, scheduler: boolean, instanceName?: string) {
  const app = await buildApp(
    loadConfig(
      { TZ: "UTC" },
      {
        databaseUrl,
        scheduler,
        logLevel: "silent",
        webDist: "/nonexistent",
        ...(instanceName ? { instanceName } : {}),
      },
    ),
    { logger: false, engine: { stopGraceMs: 5000 } },
  );
  await app.ready();
  await actAs(app, "admin");
  return app;
}

describe.each(providers)("faults on %s", (provider) => {
  it("marks the RUNNING run of a killed process LOST at the next start, and retries it", async () => {
    const db = createTestDatabase(provider);
    const first = await appOn(db.url, false);
    const task = await createTask(first, { command: "echo working; sleep 3", retryCount: 1, retryIntervalSeconds: 0 });
    await first.close();

    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/run-then-wait.ts")], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, DATABASE_URL: db.url, TASK_ID: String(task.id) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (!child.stdout) throw new Error("no stdout from the child");
    const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
    const { runId } = JSON.parse(line) as { runId: number };
    child.kill("SIGKILL");
    await once(child, "exit");

    const second = await appOn(db.url, false);
    try {
      const lost = await waitForRun(second, runId, (r) => r.status !== "RUNNING", 5000);
      expect(lost.status).toBe("LOST");
      expect(lost.error).toMatch(/stopped answering/);
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
    await waitForRun(t.app, slowRun, (r) => r.status === "RUNNING");
    await t.app.engine.stop(2000);
    const rows = await t.app.database.db.run.findMany({
      where: { id: { in: [quickRun, slowRun] } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((r) => r.status)).toEqual(["SUCCEEDED", "CANCELED"]);
    expect(rows[1]?.error).toMatch(/shutting down/);
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
    const a = await appOn(db.url, true, "instance-a:1");
    const b = await appOn(db.url, true, "instance-b:2");
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

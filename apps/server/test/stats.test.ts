import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, runNow, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

const providers = await testProviders();

describe.each(providers)("stats and executors on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true, instanceName: `stats-test:${process.pid}` });
  });
  afterAll(async () => t?.close());

  it("counts tasks and runs by outcome, lists failing tasks and upcoming fires", async () => {
    const ok = await createTask(t.app, { name: "stats-ok", command: "true", cron: "0 0 1 1 *" });
    const bad = await createTask(t.app, { name: "stats-bad", command: "exit 2", cron: "0 0 1 1 *" });
    await createTask(t.app, { name: "stats-off", enabled: false });
    await waitForRun(t.app, await runNow(t.app, ok.id));
    await waitForRun(t.app, await runNow(t.app, bad.id));

    const res = await t.app.inject({ method: "GET", url: "/api/stats" });
    expect(res.statusCode).toBe(200);
    const stats = res.json();
    expect(stats.tasks).toEqual({ total: 3, enabled: 2 });
    expect(stats.runsByStatus24h).toMatchObject({ SUCCEEDED: 1, FAILED: 1, RUNNING: 0 });
    expect(stats.runsByHour24h).toHaveLength(24);
    expect(stats.runsByDay7d).toHaveLength(7);
    const lastHour = stats.runsByHour24h.at(-1);
    expect(lastHour.counts.SUCCEEDED + lastHour.counts.FAILED).toBe(2);
    expect(stats.runsByDay7d.at(-1).counts.FAILED).toBe(1);
    expect(stats.failingTasks).toEqual([expect.objectContaining({ id: bad.id, name: "stats-bad", status: "FAILED" })]);
    expect(stats.upcoming.map((u: { taskId: number }) => u.taskId).sort()).toEqual([ok.id, bad.id].sort());
    expect(stats.upcoming[0].nextRunAt).toMatch(/-01-01T00:00:00.000Z$/);
  });

  it("exposes Prometheus metrics of finished runs to a signed-in caller only", async () => {
    const res = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    expect(res.body).toContain('crondeck_runs_finished_total{status="SUCCEEDED",mode="SHELL",trigger="MANUAL"} 1');
    expect(res.body).toContain('crondeck_runs_finished_total{status="FAILED",mode="SHELL",trigger="MANUAL"} 1');
    expect(res.body).toMatch(/crondeck_tasks_armed 2/);
    expect(res.body).toContain("crondeck_process_");
    expect((await t.app.inject({ method: "GET", url: "/metrics", headers: { authorization: "" } })).statusCode).toBe(
      401,
    );
  });

  it("lists this process as a live in-process executor", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/executors" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({ name: `stats-test:${process.pid}`, groups: ["*"], mode: "in-process", alive: true }),
    ]);
  });
});

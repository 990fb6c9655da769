import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appOn, createTask, eventually, runNow, startTestApp, type TestApp, taskRuns, waitForRun } from "./helpers.ts";

// Task dependencies (README "Dependencies"): a fire's final outcome starts the tasks that depend on
// its task, once, with trigger DEPENDENCY.

const providers = await testProviders();
/** A schedule that does not fire during a test (1 January, midnight). */
const NEVER = "0 0 1 1 *";

type Dep = { taskId: number; on?: "SUCCESS" | "FAILURE" | "END" };

async function task(app: FastifyInstance, changes: Record<string, unknown> = {}) {
  return createTask(app, { cron: NEVER, ...changes });
}

async function dependent(app: FastifyInstance, dependsOn: Dep[], changes: Record<string, unknown> = {}) {
  return task(app, { dependsOn, command: "echo downstream", ...changes });
}

/** A task's runs, oldest first. */
async function runsOf(app: FastifyInstance, taskId: number) {
  return app.database.db.run.findMany({ where: { taskId }, orderBy: { id: "asc" } });
}

/** Waits until `taskId` has `count` runs that ended, and returns them. */
async function endedRuns(app: FastifyInstance, taskId: number, count: number) {
  return eventually(
    async () => {
      const runs = (await runsOf(app, taskId)).filter((r) => r.finishedAt !== null);
      return runs.length >= count ? runs : undefined;
    },
    30_000,
    `${count} ended runs of task ${taskId}`,
  );
}

describe.each(providers)("task dependencies on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  describe("validation", () => {
    it("stores and returns dependsOn; PATCH keeps it, PUT without it clears it", async () => {
      const up = await task(t.app);
      const created = await t.app.inject({
        method: "POST",
        url: "/api/tasks",
        payload: { name: "dep-store", mode: "SHELL", command: "true", cron: NEVER, dependsOn: [{ taskId: up.id }] },
      });
      expect(created.statusCode).toBe(201);
      const body = created.json();
      expect(body).toMatchObject({ dependsOn: [{ taskId: up.id, on: "SUCCESS" }], dependsOnAll: false });
      const patched = await t.app.inject({
        method: "PATCH",
        url: `/api/tasks/${body.id}`,
        payload: { remark: "kept", dependsOnAll: true },
      });
      expect(patched.json()).toMatchObject({ dependsOn: [{ taskId: up.id, on: "SUCCESS" }], dependsOnAll: true });
      const got = await t.app.inject({ method: "GET", url: `/api/tasks/${body.id}` });
      expect(got.json()).toMatchObject({ dependsOn: [{ taskId: up.id }], dependsOnAll: true });
      const list = await t.app.inject({ method: "GET", url: "/api/tasks?q=dep-store" });
      expect(list.json().items[0]).toMatchObject({ dependsOn: [{ taskId: up.id }] });

      const graph = await t.app.inject({ method: "GET", url: `/api/tasks/${up.id}/dependencies` });
      expect(graph.json()).toEqual({
        upstream: [],
        downstream: [{ taskId: body.id, name: "dep-store", on: "SUCCESS", enabled: true }],
      });

      const put = await t.app.inject({
        method: "PUT",
        url: `/api/tasks/${body.id}`,
        payload: { name: "dep-store", mode: "SHELL", command: "true", cron: NEVER },
      });
      expect(put.json()).toMatchObject({ dependsOn: [], dependsOnAll: false });
      expect(await t.app.database.db.taskDependency.count({ where: { taskId: body.id } })).toBe(0);
    });

    it("refuses an unknown task, a duplicate, itself and too many, naming the field; nothing is stored", async () => {
      const up = await task(t.app);
      const before = await t.app.database.db.task.count();
      const post = (dependsOn: unknown) =>
        t.app.inject({
          method: "POST",
          url: "/api/tasks",
          payload: { name: `bad-${Math.random()}`, mode: "SHELL", command: "true", cron: NEVER, dependsOn },
        });
      const unknown = await post([{ taskId: 999_999 }]);
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().details).toEqual([
        expect.objectContaining({ field: "dependsOn[0].taskId", code: "UNKNOWN_TASK", params: { value: 999_999 } }),
      ]);
      const twice = await post([{ taskId: up.id }, { taskId: up.id, on: "END" }]);
      expect(twice.statusCode).toBe(400);
      expect(twice.json().details).toEqual([
        expect.objectContaining({ field: "dependsOn[1].taskId", code: "DUPLICATE" }),
      ]);
      const many = await post(Array.from({ length: 21 }, (_, i) => ({ taskId: i + 1 })));
      expect(many.statusCode).toBe(400);
      expect(many.json().details[0]).toMatchObject({ field: "dependsOn", code: "MAX_ITEMS" });
      const badOn = await post([{ taskId: up.id, on: "MAYBE" }]);
      expect(badOn.statusCode).toBe(400);
      expect(badOn.json().details[0].field).toBe("dependsOn[0].on");
      expect(await t.app.database.db.task.count()).toBe(before);

      const self = await t.app.inject({
        method: "PATCH",
        url: `/api/tasks/${up.id}`,
        payload: { dependsOn: [{ taskId: up.id }] },
      });
      expect(self.statusCode).toBe(400);
      expect(self.json().details).toEqual([
        expect.objectContaining({ field: "dependsOn[0].taskId", code: "DEPENDS_ON_ITSELF" }),
      ]);
      expect(await t.app.database.db.taskDependency.count({ where: { taskId: up.id } })).toBe(0);
    });

    it("refuses a cycle with its path by task names, and stores nothing", async () => {
      const a = await task(t.app, { name: "cycle-A" });
      const b = await dependent(t.app, [{ taskId: a.id }], { name: "cycle-B" });
      const c = await dependent(t.app, [{ taskId: b.id }], { name: "cycle-C" });
      const before = await t.app.database.db.task.findUniqueOrThrow({ where: { id: a.id } });
      const res = await t.app.inject({
        method: "PATCH",
        url: `/api/tasks/${a.id}`,
        payload: { remark: "never stored", dependsOn: [{ taskId: c.id, on: "END" }] },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("VALIDATION_FAILED");
      expect(res.json().details).toEqual([
        {
          field: "dependsOn[0].taskId",
          code: "DEPENDENCY_CYCLE",
          message: "would make a dependency cycle: cycle-A → cycle-B → cycle-C → cycle-A",
          params: { path: "cycle-A → cycle-B → cycle-C → cycle-A" },
        },
      ]);
      expect(res.json().message).toContain("cycle-A → cycle-B → cycle-C → cycle-A");
      const after = await t.app.database.db.task.findUniqueOrThrow({ where: { id: a.id } });
      expect(after.remark).toBe(before.remark);
      expect(await t.app.database.db.taskDependency.count({ where: { taskId: a.id } })).toBe(0);
      // PUT takes the same check
      const put = await t.app.inject({
        method: "PUT",
        url: `/api/tasks/${a.id}`,
        payload: { name: "cycle-A", mode: "SHELL", command: "true", cron: NEVER, dependsOn: [{ taskId: b.id }] },
      });
      expect(put.statusCode).toBe(400);
      expect(put.json().details[0].params.path).toBe("cycle-A → cycle-B → cycle-A");
    });

    it("deleting a task removes it from the tasks that depend on it", async () => {
      const up = await task(t.app);
      const other = await task(t.app);
      const down = await dependent(t.app, [{ taskId: up.id }, { taskId: other.id, on: "END" }]);
      expect((await t.app.inject({ method: "DELETE", url: `/api/tasks/${up.id}` })).statusCode).toBe(204);
      const got = await t.app.inject({ method: "GET", url: `/api/tasks/${down.id}` });
      expect(got.json().dependsOn).toEqual([{ taskId: other.id, on: "END" }]);
      const graph = await t.app.inject({ method: "GET", url: `/api/tasks/${down.id}/dependencies` });
      expect(graph.json().upstream).toEqual([expect.objectContaining({ taskId: other.id, on: "END" })]);
      expect((await t.app.inject({ method: "GET", url: `/api/tasks/${up.id}/dependencies` })).statusCode).toBe(404);
    });
  });

  describe("triggering", () => {
    it("SUCCESS, FAILURE and END start as the upstream fire ended; a disabled dependent does not start", async () => {
      for (const outcome of ["SUCCEEDED", "FAILED"] as const) {
        const up = await task(t.app, { command: outcome === "SUCCEEDED" ? "echo ok" : "exit 4" });
        const onSuccess = await dependent(t.app, [{ taskId: up.id, on: "SUCCESS" }]);
        const onFailure = await dependent(t.app, [{ taskId: up.id, on: "FAILURE" }]);
        const onEnd = await dependent(t.app, [{ taskId: up.id, on: "END" }]);
        const disabled = await dependent(t.app, [{ taskId: up.id, on: "END" }], { enabled: false });
        // Created last: dependents start in id order, so once it ran every other one was decided.
        const sentinel = await dependent(t.app, [{ taskId: up.id, on: "END" }]);
        const upRun = await waitForRun(t.app, await runNow(t.app, up.id));
        expect(upRun.status).toBe(outcome);
        const [last] = await endedRuns(t.app, sentinel.id, 1);
        const started = outcome === "SUCCEEDED" ? onSuccess : onFailure;
        const notStarted = outcome === "SUCCEEDED" ? onFailure : onSuccess;
        for (const id of [started.id, onEnd.id]) {
          const [run] = await endedRuns(t.app, id, 1);
          expect(run).toMatchObject({
            trigger: "DEPENDENCY",
            triggeredByRunId: upRun.id,
            status: "SUCCEEDED",
            attempt: 1,
          });
          expect(run?.scheduledAt.toISOString()).toBe(upRun.scheduledAt);
          expect(run?.output).toContain("downstream");
          const api = await t.app.inject({ method: "GET", url: `/api/runs/${run?.id}` });
          expect(api.json()).toMatchObject({
            trigger: "DEPENDENCY",
            triggeredByRunId: upRun.id,
            triggeredBy: { runId: upRun.id, taskId: up.id, taskName: expect.any(String) },
          });
        }
        expect(last?.triggeredByRunId).toBe(upRun.id);
        expect(await runsOf(t.app, notStarted.id)).toEqual([]);
        expect(await runsOf(t.app, disabled.id)).toEqual([]);
      }
    });

    it("retries of the upstream start the dependent only after the last attempt", async () => {
      const dir = mkdtempSync(join(tmpdir(), "crondeck-deps-"));
      const counter = join(dir, "n");
      // Fails twice, then succeeds: three attempts of one fire.
      const up = await task(t.app, {
        command: `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; [ $n -ge 3 ]`,
        retryCount: 2,
        retryIntervalSeconds: 0,
      });
      const onSuccess = await dependent(t.app, [{ taskId: up.id, on: "SUCCESS" }]);
      const onFailure = await dependent(t.app, [{ taskId: up.id, on: "FAILURE" }]);
      const sentinel = await dependent(t.app, [{ taskId: up.id, on: "END" }]);
      const first = await runNow(t.app, up.id);
      await endedRuns(t.app, sentinel.id, 1);
      const attempts = await runsOf(t.app, up.id);
      expect(attempts.map((r) => [r.attempt, r.status])).toEqual([
        [1, "FAILED"],
        [2, "FAILED"],
        [3, "SUCCEEDED"],
      ]);
      const lastAttempt = attempts[2];
      const runs = await endedRuns(t.app, onSuccess.id, 1);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        trigger: "DEPENDENCY",
        triggeredByRunId: lastAttempt?.id,
        fireKey: `dep:${first}`,
      });
      expect(runs[0]?.createdAt.getTime()).toBeGreaterThanOrEqual(lastAttempt?.finishedAt?.getTime() ?? 0);
      // The failed attempts were not the fire's outcome.
      expect(await runsOf(t.app, onFailure.id)).toEqual([]);
      expect(await runsOf(t.app, sentinel.id)).toHaveLength(1);
    });

    it("a chain A → B → C runs through, each with the first slot", async () => {
      const a = await task(t.app, { command: "echo A" });
      const b = await dependent(t.app, [{ taskId: a.id }], { command: "echo B" });
      const c = await dependent(t.app, [{ taskId: b.id }], { command: "echo C" });
      const aRun = await waitForRun(t.app, await runNow(t.app, a.id));
      const [cRun] = await endedRuns(t.app, c.id, 1);
      const [bRun] = await runsOf(t.app, b.id);
      expect(bRun).toMatchObject({ trigger: "DEPENDENCY", triggeredByRunId: aRun.id, status: "SUCCEEDED" });
      expect(cRun).toMatchObject({ trigger: "DEPENDENCY", triggeredByRunId: bRun?.id, status: "SUCCEEDED" });
      expect(cRun?.scheduledAt.toISOString()).toBe(aRun.scheduledAt);
      const list = await t.app.inject({ method: "GET", url: "/api/runs?trigger=DEPENDENCY&pageSize=200" });
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((r: { id: number }) => r.id)).toContain(cRun?.id);
    });

    it("a cycle that slipped past the checks (two concurrent edits) does not loop", async () => {
      const a = await task(t.app, { command: "echo A" });
      const b = await dependent(t.app, [{ taskId: a.id }], { command: "echo B" });
      // Created last, after B in the order dependents start: once it ran, A was decided.
      const sentinel = await dependent(t.app, [{ taskId: b.id }]);
      // The other half of the cycle, written as a concurrent edit could have: A depends on B.
      await t.app.database.db.taskDependency.create({ data: { taskId: a.id, upstreamTaskId: b.id, on: "SUCCESS" } });
      const aRun = await waitForRun(t.app, await runNow(t.app, a.id));
      await endedRuns(t.app, sentinel.id, 1);
      expect(await runsOf(t.app, b.id)).toHaveLength(1);
      expect((await runsOf(t.app, a.id)).map((r) => r.id)).toEqual([aRun.id]);
    });

    it("the recovery sweep starts a dependent whose start a crash lost, once; not one saved after the fire", async () => {
      const up = await task(t.app, { command: "echo up" });
      const down = await dependent(t.app, [{ taskId: up.id, on: "SUCCESS" }]);
      // As if an instance had recorded the upstream fire's end and died before starting its dependents.
      const now = new Date();
      const crashed = await t.app.database.db.run.create({
        data: {
          taskId: up.id,
          trigger: "MANUAL",
          scheduledAt: new Date(now.getTime() - 1_000),
          status: "SUCCEEDED",
          startedAt: new Date(now.getTime() - 1_000),
          finishedAt: now,
          durationMs: 1_000,
          output: "up\n",
          matchedKeywords: "[]",
          executor: "crashed:1",
          ownerId: "crashed",
        },
      });
      // Saved after that end: it did not depend on that fire then, and is not started for it.
      const later = await dependent(t.app, [{ taskId: up.id, on: "SUCCESS" }]);
      const soon = now.getTime() + 6_000;
      await Promise.all([t.app.engine.sweepDependencies(soon), t.app.engine.sweepDependencies(soon)]);
      await t.app.engine.sweepDependencies(soon);
      const runs = await endedRuns(t.app, down.id, 1);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        trigger: "DEPENDENCY",
        triggeredByRunId: crashed.id,
        fireKey: `dep:${crashed.id}`,
      });
      expect((await taskRuns(t.app, down.id)).length).toBe(1);
      expect(await runsOf(t.app, later.id)).toEqual([]);
    });
  });
});

describe.each(providers)("dependsOnAll and several instances on %s", (provider) => {
  const database = createTestDatabase(provider);
  let a: FastifyInstance;
  let b: FastifyInstance;
  beforeAll(async () => {
    a = await appOn(database.url, { scheduler: true, instanceName: "deps-a" });
    b = await appOn(database.url, { scheduler: true, instanceName: "deps-b" });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database.drop();
  });

  it("starts each dependent once per upstream fire, and an ALL task once per slot when all ended as required", async () => {
    const every2s = "*/2 * * * * *";
    const u1 = await task(a, { name: "all-u1", cron: every2s, command: "echo u1", enabled: false });
    const u2 = await task(a, { name: "all-u2", cron: every2s, command: "sleep 0.3; exit 1", enabled: false });
    const each = await dependent(a, [{ taskId: u1.id }], { name: "each-of-u1" });
    const both = await dependent(
      a,
      [
        { taskId: u1.id, on: "SUCCESS" },
        { taskId: u2.id, on: "FAILURE" },
      ],
      { name: "all-met", dependsOnAll: true, concurrencyPolicy: "ALLOW" },
    );
    const never = await dependent(
      a,
      [
        { taskId: u1.id, on: "SUCCESS" },
        { taskId: u2.id, on: "SUCCESS" },
      ],
      { name: "all-unmet", dependsOnAll: true },
    );
    for (const id of [u1.id, u2.id]) {
      await a.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload: { enabled: true } });
    }
    const db = a.database.db;
    // Both instances race for every slot; four slots of both upstreams ended.
    await eventually(
      async () => {
        const ended = await db.run.count({ where: { taskId: u2.id, finishedAt: { not: null }, status: "FAILED" } });
        return ended >= 4 ? true : undefined;
      },
      40_000,
      "four fires of both upstreams",
    );
    for (const id of [u1.id, u2.id]) {
      await a.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload: { enabled: false } });
    }
    // Every fire under way ends (claims made ahead are given back) before the counting.
    await eventually(async () => {
      const active = await db.run.count({
        where: { taskId: { in: [u1.id, u2.id] }, status: { in: ["QUEUED", "RUNNING"] } },
      });
      return active === 0 ? true : undefined;
    });
    // Re-processing every recent end, on both instances, starts nothing more.
    const soon = Date.now() + 6_000;
    await Promise.all([a.engine.sweepDependencies(soon), b.engine.sweepDependencies(soon)]);

    const u1Fires = await db.run.findMany({ where: { taskId: u1.id, status: "SUCCEEDED" } });
    const u2Fires = await db.run.findMany({ where: { taskId: u2.id, status: "FAILED" } });
    const u2Slots = new Set(u2Fires.map((r) => r.scheduledAt.getTime()));
    const bothSlots = u1Fires.map((r) => r.scheduledAt.getTime()).filter((slot) => u2Slots.has(slot));
    expect(bothSlots.length).toBeGreaterThanOrEqual(3);

    // One dependent run per upstream fire, whichever instance ran it.
    const eachRuns = await eventually(async () => {
      const runs = await db.run.findMany({ where: { taskId: each.id, attempt: 1 } });
      return runs.length >= u1Fires.length ? runs : undefined;
    });
    expect(eachRuns.map((r) => r.triggeredByRunId).sort()).toEqual(u1Fires.map((r) => r.id).sort());
    expect(new Set(eachRuns.map((r) => r.scheduledAt.getTime())).size).toBe(eachRuns.length);

    // One ALL run per slot where u1 succeeded and u2 failed.
    const bothRuns = await eventually(async () => {
      const runs = await db.run.findMany({ where: { taskId: both.id, attempt: 1 } });
      return runs.length >= bothSlots.length ? runs : undefined;
    });
    const perSlot = new Map<number, number>();
    for (const run of bothRuns)
      perSlot.set(run.scheduledAt.getTime(), (perSlot.get(run.scheduledAt.getTime()) ?? 0) + 1);
    expect([...perSlot.values()].every((n) => n === 1)).toBe(true);
    expect([...perSlot.keys()].sort()).toEqual([...bothSlots].sort());
    for (const run of bothRuns) expect(run.fireKey).toBe(`deps:${run.scheduledAt.getTime()}`);
    // u2 never succeeds: the ALL task waiting for it never starts.
    expect(await db.run.count({ where: { taskId: never.id } })).toBe(0);
  });
});

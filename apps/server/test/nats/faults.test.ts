import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { natsServerAvailable, startNatsServer, type TestNats } from "@crondeck/transport-nats/testing";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startInstance, waitFor } from "../faults/instances.ts";
import { appOn, createTask, runNow, taskRuns, waitForRun } from "../helpers.ts";
import { type ExecutorProcess, startExecutor } from "./executors.ts";

const providers = await testProviders();
const started = (e: ExecutorProcess, runId: number) =>
  e.lines.filter((l) => l.msg === "attempt started" && l.runId === runId).length;

describe.skipIf(!natsServerAvailable()).each(providers)("executor faults over NATS on %s", (provider) => {
  let nats: TestNats;
  let db: ReturnType<typeof createTestDatabase>;
  const executors: ExecutorProcess[] = [];
  const apps: FastifyInstance[] = [];
  const executor = async (name: string, groups: string, env: Record<string, string> = {}) => {
    const e = await startExecutor({ NATS_URL: nats.url, EXECUTOR_NAME: name, EXECUTOR_GROUPS: groups, ...env });
    executors.push(e);
    return e;
  };
  const control = async (name: string, options: { dispatchTimeoutMs?: number; scheduler?: boolean } = {}) => {
    const app = await appOn(db.url, { natsUrl: nats.url, instanceName: name, stopGraceMs: 2_000, ...options });
    apps.push(app);
    return app;
  };

  beforeEach(async () => {
    nats = await startNatsServer();
    db = createTestDatabase(provider);
  });
  afterEach(async () => {
    await Promise.all(executors.splice(0).map((e) => e.kill("SIGKILL")));
    for (const app of apps.splice(0)) await app.close();
    await db.drop();
    await nats.close();
  });

  it("an executor killed mid-run: the attempt is LOST within 15 s and retried on another executor of its group", async () => {
    const app = await control("control");
    const a = await executor("exec-a", "pool");
    const task = await createTask(app, {
      command: 'echo "attempt $CRONDECK_ATTEMPT"; if [ "$CRONDECK_ATTEMPT" = 1 ]; then sleep 60; fi; echo done',
      executorGroup: "pool",
      retryCount: 1,
      retryIntervalSeconds: 0,
      timeoutSeconds: 120,
    });
    const runId = await runNow(app, task.id);
    await waitForRun(app, runId, (r) => r.status === "RUNNING" && r.executor === "exec-a");
    const b = await executor("exec-b", "pool");
    await a.kill("SIGKILL");
    const killedAt = Date.now();
    const lost = await waitForRun(app, runId, (r) => r.status !== "RUNNING", 30_000);
    const lostAfter = Date.now() - killedAt;
    expect(lost.status).toBe("LOST");
    expect(lost).toMatchObject({ errorCode: "LOST", errorParams: null });
    expect(lostAfter).toBeLessThan(15_000);
    const runs = await waitFor(
      async () => {
        const all = await taskRuns(app, task.id);
        return all.some((r) => r.attempt === 2 && r.status === "SUCCEEDED") ? all : undefined;
      },
      30_000,
      "the retry",
    );
    expect(runs).toHaveLength(2);
    const retry = runs.find((r) => r.attempt === 2) as unknown as { id: number; executor: string };
    expect(retry.executor).toBe("exec-b");
    expect((await waitForRun(app, retry.id)).output).toContain("attempt 2");
    expect(started(b, runId)).toBe(0); // the lost attempt itself never ran a second time
    console.log(`executor killed -9: LOST after ${lostAfter} ms, retried on exec-b`);
  }, 90_000);

  it("a group with no executor: the attempt fails after the dispatch timeout naming the group, and never runs later", async () => {
    const app = await control("control", { dispatchTimeoutMs: 2_000 });
    const task = await createTask(app, { command: "echo should-not-run", executorGroup: "db01" });
    const runId = await runNow(app, task.id);
    const failed = await waitForRun(app, runId, undefined, 20_000);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatch(/no executor of group "db01" started this attempt within 2 s/);
    expect(failed).toMatchObject({ errorCode: "NO_LIVE_EXECUTOR", errorParams: { group: "db01", seconds: 2 } });
    // The attempt is still in db01's queue; the executor that comes later must not run it.
    const late = await executor("db01", "");
    await waitFor(
      () => (late.lines.some((l) => l.msg === "not starting an attempt" && l.runId === runId) ? true : undefined),
      20_000,
      "the late executor to refuse the stale attempt",
    );
    expect(started(late, runId)).toBe(0);
    expect((await waitForRun(app, runId)).status).toBe("FAILED");
  }, 60_000);

  it("a control-plane instance killed while its attempt runs remotely: the result is recorded by the other one", async () => {
    const survivor = await control("survivor");
    const e = await executor("exec-a", "default");
    const task = await createTask(survivor, { command: "sleep 2; echo finished", concurrencyPolicy: "ALLOW" });
    const doomed = await startInstance({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      INSTANCE_NAME: "doomed",
      SCHEDULER: "off",
      RUN_TASK_ID: String(task.id),
    });
    const runId = await waitFor(() => doomed.lines.find((l) => l.runId)?.runId as number | undefined, 30_000, "run id");
    await waitForRun(survivor, runId, (r) => r.status === "RUNNING" && r.executor === "exec-a");
    await doomed.kill("SIGKILL");
    const ended = await waitForRun(survivor, runId, undefined, 30_000);
    expect(ended.status).toBe("SUCCEEDED");
    expect(ended.output).toContain("finished");
    expect(started(e, runId)).toBe(1);
    expect(await taskRuns(survivor, task.id)).toHaveLength(1);
  }, 90_000);

  it("nats-server restarted mid-run: the result is recorded once and the attempt ran once", async () => {
    const app = await control("control");
    const e = await executor("exec-a", "default");
    const task = await createTask(app, { command: "sleep 3; echo finished", concurrencyPolicy: "ALLOW" });
    const runId = await runNow(app, task.id);
    await waitForRun(app, runId, (r) => r.status === "RUNNING" && r.executor === "exec-a");
    await nats.stop();
    // The API keeps serving, and says what is down.
    await waitFor(
      async () => {
        const res = await app.inject({ method: "GET", url: "/readyz" });
        return res.statusCode === 200 && res.json().status === "degraded" ? res.json() : undefined;
      },
      15_000,
      "/readyz to say NATS is down",
    ).then((ready) => expect(ready).toEqual({ status: "degraded", down: ["nats"] }));
    expect((await app.inject({ method: "GET", url: "/api/tasks" })).statusCode).toBe(200);
    await waitFor(
      () =>
        e.lines.some((l) => l.msg === "attempt ended" || l.msg === "could not publish a result yet; keeping it")
          ? true
          : undefined,
      30_000,
      "the attempt to end while NATS is down",
    );
    await nats.restart();
    await waitFor(
      async () => ((await app.inject({ method: "GET", url: "/readyz" })).json().status === "ready" ? true : undefined),
      30_000,
      "/readyz to say ready again",
    );
    const ended = await waitForRun(app, runId, undefined, 60_000);
    expect(ended.status).toBe("SUCCEEDED");
    expect(ended.output).toContain("finished");
    expect(started(e, runId)).toBe(1);
    expect(await taskRuns(app, task.id)).toHaveLength(1);
    // A run dispatched after the restart goes through too.
    const after = await runNow(app, task.id);
    expect((await waitForRun(app, after, undefined, 30_000)).status).toBe("SUCCEEDED");
  }, 120_000);

  it("SIGTERM drains an executor: it takes nothing more, lets its attempt end, cancels what outlives the drain", async () => {
    const app = await control("control");
    const a = await executor("exec-a", "pool", { EXECUTOR_DRAIN_SECONDS: "4" });
    const short = await createTask(app, {
      command: "sleep 1; echo drained",
      executorGroup: "pool",
      concurrencyPolicy: "ALLOW",
    });
    const long = await createTask(app, { command: "sleep 60", executorGroup: "pool" });
    const shortRun = await runNow(app, short.id);
    const longRun = await runNow(app, long.id);
    await waitForRun(app, shortRun, (r) => r.status === "RUNNING" && r.executor === "exec-a");
    await waitForRun(app, longRun, (r) => r.status === "RUNNING" && r.executor === "exec-a");
    const exit = a.kill("SIGTERM");
    await waitFor(() => (a.lines.some((l) => l.msg === "draining") ? true : undefined), 10_000, "the drain to begin");
    const later = await runNow(app, short.id);
    expect(await exit).toBe(0);
    const drained = await waitForRun(app, shortRun);
    expect(drained.status).toBe("SUCCEEDED");
    expect(drained.output).toContain("drained");
    const cut = await waitForRun(app, longRun);
    expect(cut.status).toBe("CANCELED");
    expect(cut.error).toMatch(/the executor was shutting down/);
    expect(cut.errorCode).toBe("CANCELED_EXECUTOR_SHUTDOWN");
    // Nothing was taken after the drain began: the later attempt waits for the next executor.
    expect(started(a, later)).toBe(0);
    const b = await executor("exec-b", "pool");
    expect((await waitForRun(app, later, undefined, 30_000)).executor).toBe("exec-b");
    expect(started(b, later)).toBe(1);
  }, 90_000);

  it("a slot handed to an executor ahead of its instant is canceled when the task is disabled before it, saying why", async () => {
    const app = await control("control", { scheduler: true });
    const e = await executor("exec-a", "default");
    const task = await createTask(app, { cron: "* * * * * *", command: "sleep 5; echo ran" });
    const { db: prisma } = app.database;
    // Wait for a slot reserved by the executor before its instant, then disable the task at once.
    const reserved = await waitFor(
      async () => {
        const run = await prisma.run.findFirst({
          where: { taskId: task.id, status: "QUEUED", executor: "exec-a", scheduledAt: { gt: new Date() } },
        });
        return run ?? undefined;
      },
      30_000,
      "a slot reserved ahead by the executor",
    );
    const disabled = await app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
    expect(disabled.statusCode).toBe(200);
    const ended = await waitForRun(app, reserved.id, undefined, 30_000);
    // Canceled before its instant (never started), or at worst just after it started: never run through.
    expect(ended.status).toBe("CANCELED");
    expect(ended.error).toMatch(/the task was changed before this slot/);
    expect(ended.errorCode).toBe("CANCELED_TASK_CHANGED");
    expect(ended.output).not.toContain("ran");
    expect(started(e, reserved.id)).toBeLessThanOrEqual(1);
  }, 60_000);
});

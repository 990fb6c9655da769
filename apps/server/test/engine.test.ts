import { setTimeout as sleep } from "node:timers/promises";
import { testProviders } from "@crondeck/db/testing";
import { startHttpTarget } from "@crondeck/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, eventually, runNow, startTestApp, type TestApp, taskRuns, waitForRun } from "./helpers.ts";
import { sseEvents } from "./sse-events.ts";

const providers = await testProviders();

describe.each(providers)("running tasks on %s", (provider) => {
  let t: TestApp;
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    t = await startTestApp(provider, { outputLimitBytes: 4096 });
    target = await startHttpTarget((req) => {
      if (req.url.startsWith("/fail")) return { status: 500, body: "boom" };
      if (req.url.startsWith("/slow")) return { delayMs: 5000 };
      return { body: `hello ${req.method} ERROR-FREE` };
    });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it("runs a SHELL task by hand: exit 0, stdout and stderr, environment", async () => {
    const task = await createTask(t.app, { command: 'echo "out $CRONDECK_TASK_ID/$CRONDECK_RUN_ID"; echo err >&2' });
    const runId = await runNow(t.app, task.id);
    const run = await waitForRun(t.app, runId);
    expect(run).toMatchObject({ status: "SUCCEEDED", exitCode: 0, trigger: "MANUAL", attempt: 1, truncated: false });
    expect(run.output).toContain(`out ${task.id}/${runId}`);
    expect(run.output).toContain("err");
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.executor).toMatch(/:\d+$/);
  });

  it("records a non-zero exit as FAILED with its code", async () => {
    const task = await createTask(t.app, { command: "echo before; exit 3" });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({ status: "FAILED", exitCode: 3 });
    expect(run.output).toContain("before");
  });

  it("kills a task at its timeout and keeps the output printed before", async () => {
    const task = await createTask(t.app, { command: "echo started; sleep 30", timeoutSeconds: 1 });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.status).toBe("TIMED_OUT");
    expect(run.output).toContain("started");
    expect(run.durationMs as number).toBeLessThan(10_000);
  });

  it("caps a huge output to head and tail", async () => {
    const task = await createTask(t.app, { command: "head -c 10000000 /dev/zero | tr '\\0' 'a'; echo; echo THE-END" });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.status).toBe("SUCCEEDED");
    expect(run.truncated).toBe(true);
    expect(run.outputBytes).toBe(10_000_000 + 1 + 8);
    expect(Buffer.byteLength(run.output)).toBeLessThan(4096 + 200);
    expect(run.output.startsWith("aaaa")).toBe(true);
    expect(run.output.trimEnd().endsWith("THE-END")).toBe(true);
  });

  it("retries a failing task, each attempt its own run, the interval apart", async () => {
    const task = await createTask(t.app, { command: "echo attempt; exit 1", retryCount: 2, retryIntervalSeconds: 1 });
    const first = await runNow(t.app, task.id);
    const runs = await eventually(async () => {
      const all = await taskRuns(t.app, task.id);
      return all.length === 3 && all.every((r) => r.status === "FAILED") ? all : undefined;
    });
    const ordered = [...runs].sort((a, b) => a.attempt - b.attempt);
    expect(ordered.map((r) => [r.attempt, r.trigger, r.rootRunId ?? null])).toEqual([
      [1, "MANUAL", null],
      [2, "RETRY", first],
      [3, "RETRY", first],
    ]);
    type R = (typeof ordered)[number];
    const [first1, second, third] = ordered as [R, R, R];
    const start = (r: R) => new Date(r.startedAt as string).getTime();
    const end = (r: R) => new Date(r.finishedAt as string).getTime();
    // The interval is a lower bound: the next attempt may start later, never sooner.
    expect(start(second) - end(first1)).toBeGreaterThanOrEqual(950);
    expect(start(third) - end(second)).toBeGreaterThanOrEqual(950);
  });

  it("stops retrying once an attempt succeeds", async () => {
    const marker = `/tmp/crondeck-retry-${Date.now()}-${provider}`;
    const task = await createTask(t.app, {
      command: `if [ -f ${marker} ]; then echo second; rm ${marker}; else touch ${marker}; exit 1; fi`,
      retryCount: 3,
      retryIntervalSeconds: 0,
    });
    await runNow(t.app, task.id);
    const runs = await eventually(async () => {
      const all = await taskRuns(t.app, task.id);
      return all.some((r) => r.status === "SUCCEEDED") ? all : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await taskRuns(t.app, task.id)).map((r) => r.status).sort()).toEqual(["FAILED", "SUCCEEDED"]);
    expect(runs).toHaveLength(2);
  });

  it("skips a run-now while the task runs under FORBID, and allows it under ALLOW", async () => {
    const forbid = await createTask(t.app, { command: "sleep 1.5", concurrencyPolicy: "FORBID" });
    const a = await runNow(t.app, forbid.id);
    await waitForRun(t.app, a, (r) => r.status === "RUNNING");
    const b = await runNow(t.app, forbid.id);
    const skipped = await waitForRun(t.app, b);
    expect(skipped.status).toBe("SKIPPED");
    expect(skipped.error).toMatch(/FORBID/);
    expect((await waitForRun(t.app, a)).status).toBe("SUCCEEDED");

    const allow = await createTask(t.app, { command: "sleep 1", concurrencyPolicy: "ALLOW" });
    const c = await runNow(t.app, allow.id);
    const d = await runNow(t.app, allow.id);
    expect((await waitForRun(t.app, c)).status).toBe("SUCCEEDED");
    expect((await waitForRun(t.app, d)).status).toBe("SUCCEEDED");
  });

  it("runs a disabled task by hand", async () => {
    const task = await createTask(t.app, { command: "echo manual", enabled: false });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.status).toBe("SUCCEEDED");
  });

  it("cancels a running run and kills its processes", async () => {
    const task = await createTask(t.app, { command: "echo go; sleep 60", retryCount: 2, retryIntervalSeconds: 0 });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId, (r) => r.status === "RUNNING" && r.output.includes("go"));
    const res = await t.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
    expect(res.statusCode).toBe(202);
    const run = await waitForRun(t.app, runId);
    expect(run.status).toBe("CANCELED");
    expect(run.error).toMatch(/canceled by a user/);
    // A cancel ends the fire: no retry follows.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await taskRuns(t.app, task.id)).toHaveLength(1);
    const again = await t.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
    expect(again.statusCode).toBe(409);
  });

  it("runs HTTP GET and POST tasks against a real server", async () => {
    const get = await createTask(t.app, { mode: "HTTP", httpMethod: "GET", command: `${target.url}/ok` });
    const ok = await waitForRun(t.app, await runNow(t.app, get.id));
    expect(ok).toMatchObject({ status: "SUCCEEDED", httpStatus: 200 });
    expect(ok.output).toContain("hello GET");

    const post = await createTask(t.app, {
      mode: "HTTP",
      httpMethod: "POST",
      command: `${target.url}/hook`,
      httpHeaders: { "Content-Type": "application/json", "X-Secret-Header": "s3" },
      httpBody: '{"name":"crondeck","emoji":"🚀"}',
    });
    const runId = await runNow(t.app, post.id);
    expect((await waitForRun(t.app, runId)).status).toBe("SUCCEEDED");
    const received = target.received.find((r) => r.url === "/hook");
    expect(received?.method).toBe("POST");
    expect(received?.body).toBe('{"name":"crondeck","emoji":"🚀"}');
    expect(received?.headers["x-secret-header"]).toBe("s3");
    expect(received?.headers["x-crondeck-run-id"]).toBe(String(runId));
    expect(received?.headers["idempotency-key"]).toMatch(new RegExp(`^crondeck-${post.id}-`));

    const fail = await createTask(t.app, { mode: "HTTP", httpMethod: "GET", command: `${target.url}/fail` });
    expect(await waitForRun(t.app, await runNow(t.app, fail.id))).toMatchObject({
      status: "FAILED",
      httpStatus: 500,
      output: "boom",
    });

    const slow = await createTask(t.app, {
      mode: "HTTP",
      httpMethod: "GET",
      command: `${target.url}/slow`,
      timeoutSeconds: 1,
    });
    expect((await waitForRun(t.app, await runNow(t.app, slow.id))).status).toBe("TIMED_OUT");

    const refused = await createTask(t.app, { mode: "HTTP", httpMethod: "GET", command: "http://127.0.0.1:1/" });
    const r = await waitForRun(t.app, await runNow(t.app, refused.id));
    expect(r.status).toBe("FAILED");
    expect(r.error).toMatch(/ECONNREFUSED/);
  });

  it("stores matched keywords with the run", async () => {
    const task = await createTask(t.app, {
      command: "echo 'disk FULL, WARN'",
      notifyKeywords: ["FULL", "WARN", "nope", "full"],
    });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.matchedKeywords).toEqual(["FULL", "WARN"]);
  });

  it("streams a running run's output and status over SSE", async () => {
    const task = await createTask(t.app, { command: "for i in 1 2 3; do echo line-$i; sleep 0.3; done" });
    const runId = await runNow(t.app, task.id);
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const auth = { headers: { authorization: `Bearer ${t.token}` } };
    const res = await fetch(`${address}/api/runs/${runId}/stream`, auth);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text(); // the server ends the stream after the final status
    const events = sseEvents(text);
    const output = events
      .filter((e) => e.event === "output")
      .map((e) => JSON.parse(e.data).text)
      .join("");
    expect(output).toContain("line-1\nline-2\nline-3\n");
    const statuses = events.filter((e) => e.event === "status").map((e) => JSON.parse(e.data).status);
    expect(statuses.at(-1)).toBe("SUCCEEDED");
    expect(events.at(-1)?.event).toBe("end");
    // A finished run streams its status, its output and the end at once.
    const after = await (await fetch(`${address}/api/runs/${runId}/stream`, auth)).text();
    expect(after).toContain("line-3");
    expect(after.trimEnd().endsWith("event: end\ndata:")).toBe(true);
  });

  it("lists runs globally with filters, and 404s unknown runs", async () => {
    const task = await createTask(t.app, { command: "exit 0" });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId);
    const byTask = (await t.app.inject({ method: "GET", url: `/api/runs?taskId=${task.id}` })).json();
    expect(byTask.total).toBe(1);
    expect(byTask.items[0]).toMatchObject({ id: runId, taskName: task.name, status: "SUCCEEDED" });
    expect(byTask.items[0].output).toBeUndefined();
    const failed = (await t.app.inject({ method: "GET", url: "/api/runs?status=FAILED&pageSize=200" })).json();
    expect(failed.items.every((r: { status: string }) => r.status === "FAILED")).toBe(true);
    const future = (
      await t.app.inject({ method: "GET", url: `/api/runs?from=${new Date(Date.now() + 3_600_000).toISOString()}` })
    ).json();
    expect(future.total).toBe(0);
    expect((await t.app.inject({ method: "GET", url: "/api/runs/99999999" })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "GET", url: "/api/runs?status=DONE" })).statusCode).toBe(400);
  });

  it("deletes a task's runs with it", async () => {
    const task = await createTask(t.app, { command: "true" });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId);
    await t.app.inject({ method: "DELETE", url: `/api/tasks/${task.id}` });
    expect((await t.app.inject({ method: "GET", url: `/api/runs/${runId}` })).statusCode).toBe(404);
  });

  it("prunes runs beyond the per-task count and the age limit", async () => {
    const task = await createTask(t.app, { command: "true" });
    // Two days old (runs of the last 24 h are always kept, as cleanup keeps them); five of them
    // finished 40 days ago, past RUN_RETENTION_DAYS.
    const old = new Date(Date.now() - 40 * 86_400_000);
    const base = Date.now() - 2 * 86_400_000;
    await t.app.database.db.run.createMany({
      data: Array.from({ length: 1010 }, (_, i) => ({
        taskId: task.id,
        trigger: "SCHEDULE",
        scheduledAt: new Date(base - (1010 - i) * 1000),
        finishedAt: i < 5 ? old : new Date(base),
        fireKey: `S${i}`,
        status: "SUCCEEDED",
        output: "",
        matchedKeywords: "[]",
      })),
    });
    const removed = await t.app.engine.prune();
    expect(removed).toBeGreaterThanOrEqual(10);
    expect(await t.app.database.db.run.count({ where: { taskId: task.id } })).toBe(1000);
    expect(await t.app.database.db.run.count({ where: { taskId: task.id, finishedAt: { lt: old } } })).toBe(0);
    expect(await t.app.database.db.run.count({ where: { taskId: task.id, finishedAt: old } })).toBe(0);
  });
});

describe.each(providers)("scheduling on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true });
  });
  afterAll(async () => t?.close());

  it("fires a per-second task on its schedule, and re-arms at once on edit and disable", async () => {
    const task = await createTask(t.app, { cron: "* * * * * *", command: "echo tick" });
    const fired = await eventually(
      async () => {
        const runs = await taskRuns(t.app, task.id);
        return runs.filter((r) => r.status === "SUCCEEDED").length >= 2 ? runs : undefined;
      },
      10_000,
      "two scheduled fires",
    );
    for (const run of fired) {
      expect(run.trigger).toBe("SCHEDULE");
      expect(new Date(run.scheduledAt as string).getUTCMilliseconds()).toBe(0);
    }
    // Every 10 minutes from now on: nothing more fires in the next seconds.
    const edited = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { cron: "0 */10 * * * *" },
    });
    expect(edited.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const count = (await taskRuns(t.app, task.id)).length;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await taskRuns(t.app, task.id)).length).toBe(count);
    // Back to every second, then disabled: its next run disappears and it stops firing.
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { cron: "* * * * * *" } });
    await eventually(
      async () => ((await taskRuns(t.app, task.id)).length > count ? true : undefined),
      5000,
      "re-armed fire",
    );
    const disabled = await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
    expect(disabled.json().nextRunAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const after = (await taskRuns(t.app, task.id)).length;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await taskRuns(t.app, task.id)).length).toBe(after);
  });

  it("claims a slot just before its instant and starts it then; a disable gives the claim back", async () => {
    const db = t.app.database.db;
    const task = await createTask(t.app, { cron: "* * * * * *", command: "echo tick" });
    const claimed = await claimAhead(t, task.id);
    expect(claimed.createdAt.getTime()).toBeLessThan(claimed.scheduledAt.getTime());
    const ran = await waitForRun(t.app, claimed.id);
    expect(ran.status).toBe("SUCCEEDED");
    expect(new Date(ran.startedAt as string).getTime()).toBeGreaterThanOrEqual(claimed.scheduledAt.getTime());

    // Disabled while its next slot is claimed: that slot is given back and never runs.
    const next = await claimAhead(t, task.id, claimed.scheduledAt.getTime());
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
    const disabledAt = Date.now();
    await sleep(1500);
    if (disabledAt < next.scheduledAt.getTime()) {
      expect(await db.run.findUnique({ where: { id: next.id } })).toBeNull();
    }
    expect(await db.run.count({ where: { taskId: task.id, status: { in: ["QUEUED", "RUNNING"] } } })).toBe(0);
  });

  it("shows a run started from a claimed slot as RUNNING from its first moment", async () => {
    const task = await createTask(t.app, { cron: "* * * * * *", command: "sleep 1" });
    const claimed = await claimAhead(t, task.id);
    await sleep(claimed.scheduledAt.getTime() + 50 - Date.now());
    const res = await t.app.inject({ method: "GET", url: `/api/runs/${claimed.id}` });
    expect(res.json()).toMatchObject({ id: claimed.id, status: "RUNNING" });
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { enabled: false } });
  });

  it("gives back the slots claimed ahead when it stops", async () => {
    const own = await startTestApp(provider, { scheduler: true });
    try {
      const task = await createTask(own.app, { cron: "* * * * * *", command: "echo tick" });
      const claimed = await claimAhead(own, task.id);
      await own.app.engine.stop(2000);
      const stoppedAt = Date.now();
      const db = own.app.database.db;
      if (stoppedAt < claimed.scheduledAt.getTime()) {
        expect(await db.run.findUnique({ where: { id: claimed.id } })).toBeNull();
      }
      expect(await db.run.count({ where: { taskId: task.id, status: { in: ["QUEUED", "RUNNING"] } } })).toBe(0);
    } finally {
      await own.close();
    }
  });

  it("reports nextRunAt from the armed schedule", async () => {
    const task = await createTask(t.app, { cron: "0 0 1 1 *", timezone: "Asia/Shanghai" });
    expect(new Date(task.nextRunAt as string).toISOString()).toMatch(/-12-31T16:00:00.000Z$/);
  });
});

/** The next slot of a task claimed ahead (QUEUED), after `after` (epoch ms) when given. */
async function claimAhead(t: TestApp, taskId: number, after = 0) {
  return eventually(
    async () =>
      (await t.app.database.db.run.findFirst({
        where: { taskId, status: "QUEUED", scheduledAt: { gt: new Date(after) } },
      })) ?? undefined,
    10_000,
    "a slot claimed ahead",
  );
}

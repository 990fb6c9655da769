import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, eventually, runNow, startTestApp, type TestApp, taskRuns, waitForRun } from "./helpers.ts";

// How runs relate to each other in the API: a FORBID skip names the run it gave way to and is
// not a task's "last result"; the attempts of one fire link to each other, say when the next is
// due, and count once in the overview.

const providers = await testProviders();

describe.each(providers)("run relations on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  const getRun = async (id: number) => (await t.app.inject({ method: "GET", url: `/api/runs/${id}` })).json();

  it("a FORBID skip links to the run under way and does not become the task's last result", async () => {
    const task = await createTask(t.app, { name: "forbid-holder", command: "sleep 1.5; exit 3", cron: "0 0 1 1 *" });
    const going = await runNow(t.app, task.id);
    await waitForRun(t.app, going, (run) => run.status === "RUNNING");
    const skipped = await runNow(t.app, task.id);
    const skip = await waitForRun(t.app, skipped);
    expect(skip.status).toBe("SKIPPED");
    expect(skip.blockedBy).toBe(going);

    const failed = await waitForRun(t.app, going);
    expect(failed.status).toBe("FAILED");
    expect(failed.blockedBy).toBeNull();
    // Still found after the holder ended: it is decided by when the skip happened.
    expect((await getRun(skipped)).blockedBy).toBe(going);

    const list = await t.app.inject({ method: "GET", url: "/api/tasks?q=forbid-holder" });
    expect(list.json().items[0].lastRun).toMatchObject({ id: going, status: "FAILED" });
  });

  it("links the attempts of one fire, says when the next is due, and counts the fire once", async () => {
    const before = (await t.app.inject({ method: "GET", url: "/api/stats" })).json().runsByStatus24h.FAILED;
    const task = await createTask(t.app, {
      name: "retrying",
      command: "exit 3",
      cron: "0 0 1 1 *",
      retryCount: 2,
      retryIntervalSeconds: 2,
    });
    const first = await runNow(t.app, task.id);
    const failed = await waitForRun(t.app, first);
    expect(failed.status).toBe("FAILED");
    expect(failed.maxAttempts).toBe(3);
    const due = Date.parse(failed.nextAttemptAt as string);
    expect(due - Date.parse(failed.finishedAt as string)).toBe(2000);
    expect(failed.attempts).toEqual([{ id: first, attempt: 1, status: "FAILED" }]);

    const runs = await eventually(async () => {
      const all = await taskRuns(t.app, task.id);
      return all.length === 3 && all.every((r) => r.status === "FAILED") ? all : undefined;
    }, 30_000);
    const ids = runs.map((r) => r.id).sort((a, b) => a - b);
    const expected = ids.map((id, i) => ({ id, attempt: i + 1, status: "FAILED" }));
    for (const id of ids) expect((await getRun(id)).attempts).toEqual(expected);
    // Retried: no further attempt is due from the first; the last has none left.
    expect((await getRun(first)).nextAttemptAt).toBeNull();
    expect((await getRun(ids[2] as number)).nextAttemptAt).toBeNull();

    const stats = (await t.app.inject({ method: "GET", url: "/api/stats" })).json();
    expect(stats.runsByStatus24h.FAILED - before).toBe(1);
    const byHour = stats.runsByHour24h.reduce((n: number, b: { counts: { FAILED: number } }) => n + b.counts.FAILED, 0);
    expect(byHour - before).toBe(1);
  });
});

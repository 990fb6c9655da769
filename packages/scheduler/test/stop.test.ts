import { describe, expect, it } from "vitest";
import { Scheduler } from "../src/index.ts";
import { makeTask, memoryLogger, recordingJob, sleep, waitFor } from "./helpers.ts";

describe("stop", () => {
  it("waits for a slow job through the grace period, then aborts it and waits for it to settle", async () => {
    let calls = 0;
    let sawAborted: boolean | undefined;
    let settled = false;
    const s = new Scheduler({
      loadTasks: async () => [makeTask({ id: 1 })],
      runTask: (_task, _at, signal) => {
        calls++;
        if (calls > 1) return Promise.resolve();
        return new Promise<void>((resolve) => {
          signal.addEventListener("abort", () => {
            sawAborted = signal.aborted;
            // Cleanup after the abort still finishes before stop() resolves.
            setTimeout(() => {
              settled = true;
              resolve();
            }, 100);
          });
        });
      },
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => calls >= 1, 15_000, "the slow job to start");
    const stoppedAt = Date.now();
    await s.stop(600);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(550);
    expect(sawAborted).toBe(true);
    expect(settled).toBe(true);
  });

  it("lets a job that ends within the grace period finish without aborting it", async () => {
    let finished = false;
    let abortedAtEnd: boolean | undefined;
    const s = new Scheduler({
      loadTasks: async () => [makeTask({ id: 1 })],
      runTask: async (_task, _at, signal) => {
        if (finished || abortedAtEnd !== undefined) return;
        abortedAtEnd = false;
        await sleep(400);
        abortedAtEnd = signal.aborted;
        finished = true;
      },
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => abortedAtEnd !== undefined, 15_000, "the job to start");
    await s.stop(20_000);
    expect(finished).toBe(true);
    expect(abortedAtEnd).toBe(false);
  });

  it("fires nothing after stop, ignores addTask until started again, then loads and fires again", async () => {
    const job = recordingJob();
    const s = new Scheduler({
      loadTasks: async () => [makeTask({ id: 1 })],
      runTask: job.runTask,
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => job.count(1) >= 2, 15_000, "2 fires");
    await s.stop(0);
    expect(s.size).toBe(0);
    expect(s.nextRunAt(1)).toBeNull();
    s.addTask(makeTask({ id: 2 }));
    expect(s.size).toBe(0);
    const fired = job.count(1);
    await sleep(2200);
    expect(job.count(1)).toBe(fired);
    expect(job.count(2)).toBe(0);

    await s.start();
    expect(s.size).toBe(1);
    await waitFor(() => job.count(1) >= fired + 2, 15_000, "fires after the restart");
    await s.stop(0);
    const slots = job.slots.get(1) ?? [];
    expect(new Set(slots).size).toBe(slots.length);
  });

  it("abandons a start whose loadTasks was still pending when stop was called", async () => {
    const job = recordingJob();
    let release: (tasks: ReturnType<typeof makeTask>[]) => void = () => {};
    const s = new Scheduler({
      loadTasks: () => new Promise((resolve) => (release = resolve)),
      runTask: job.runTask,
      logger: memoryLogger(),
    });
    const starting = s.start();
    await s.stop(0);
    release([makeTask({ id: 1 })]);
    await starting;
    expect(s.size).toBe(0);
    await sleep(1500);
    expect(job.count(1)).toBe(0);
  });

  it("lets addTask and removeTask made while loading win over the loaded snapshot", async () => {
    const now = Date.parse("2026-06-01T10:00:30Z");
    let release: (tasks: ReturnType<typeof makeTask>[]) => void = () => {};
    const s = new Scheduler({
      loadTasks: () => new Promise((resolve) => (release = resolve)),
      runTask: async () => {},
      logger: memoryLogger(),
      now: () => now,
    });
    const starting = s.start();
    s.addTask(makeTask({ id: 1, cron: "0 12 * * *" }));
    s.removeTask(2);
    release([
      makeTask({ id: 1, cron: "0 11 * * *" }),
      makeTask({ id: 2, cron: "0 11 * * *" }),
      makeTask({ id: 3, cron: "0 11 * * *" }),
    ]);
    await starting;
    expect(s.size).toBe(2);
    expect(s.nextRunAt(1)?.toISOString()).toBe("2026-06-01T12:00:00.000Z");
    expect(s.nextRunAt(2)).toBeNull();
    expect(s.nextRunAt(3)?.toISOString()).toBe("2026-06-01T11:00:00.000Z");
    await s.stop(0);
  });
});

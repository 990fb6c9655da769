import { describe, expect, it } from "vitest";
import {
  blockEventLoop,
  expectConsecutiveSeconds,
  makeTask,
  memoryLogger,
  recordingJob,
  schedulerStoppedAfterEach,
  sleep,
  waitFor,
} from "./helpers.ts";

// Real timers throughout: these tests watch slots, counts and order, never how punctual a fire was.
const scheduler = schedulerStoppedAfterEach();

describe("firing on schedule", () => {
  it("fires a per-second task on consecutive whole-second slots, none twice", async () => {
    const job = recordingJob();
    const s = scheduler({ loadTasks: async () => [makeTask({ id: 1 })], runTask: job.runTask, logger: memoryLogger() });
    await s.start();
    const first = s.nextRunAt(1)?.getTime();
    await waitFor(() => job.count(1) >= 4, 20_000, "4 fires");
    await s.stop(0);
    const slots = job.slots.get(1) ?? [];
    expect(slots[0]).toBe(first);
    expect(slots.length).toBeGreaterThanOrEqual(4);
    expectConsecutiveSeconds(slots);
  });

  it("re-arms with a changed cron at once, and keeps the slot for an unchanged one", async () => {
    const job = recordingJob();
    const s = scheduler({ loadTasks: async () => [makeTask({ id: 1 })], runTask: job.runTask, logger: memoryLogger() });
    await s.start();
    await waitFor(() => job.count(1) >= 2, 15_000, "2 per-second fires");

    const armedFor = s.nextRunAt(1);
    s.addTask(makeTask({ id: 1, misfireGraceSeconds: 600 })); // same cron: idempotent
    expect(s.nextRunAt(1)).toEqual(armedFor);

    const reArmedAt = Date.now();
    s.addTask(makeTask({ id: 1, cron: "*/2 * * * * *" }));
    expect(s.size).toBe(1);
    expect((s.nextRunAt(1)?.getTime() ?? 1) % 2000).toBe(0);
    const after = () => (job.slots.get(1) ?? []).filter((at) => at > reArmedAt);
    await waitFor(() => after().length >= 3, 20_000, "3 fires of the new cron");
    const newSlots = after();
    for (const [i, at] of newSlots.entries()) {
      expect(at % 2000).toBe(0);
      if (i > 0) expect(at - (newSlots[i - 1] ?? 0)).toBe(2000);
    }
  });

  it("never fires a slot twice while the task is re-added and removed and added again", async () => {
    const job = recordingJob();
    const task = makeTask({ id: 7 });
    const s = scheduler({ loadTasks: async () => [task], runTask: job.runTask, logger: memoryLogger() });
    await s.start();
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      s.addTask({ ...task });
      if (i % 3 === 0) {
        s.removeTask(7);
        s.addTask(task);
      }
    }
    await waitFor(() => job.count(7) >= 3, 15_000, "3 fires");
    await s.stop(0);
    const slots = job.slots.get(7) ?? [];
    expect(new Set(slots).size).toBe(slots.length);
    expect([...slots].sort((a, b) => a - b)).toEqual(slots);
  });

  it("keeps firing correctly through heavy re-arm churn (dead heap entries compacted away)", async () => {
    const job = recordingJob();
    const idle = Array.from({ length: 3000 }, (_, i) => makeTask({ id: 100 + i, cron: "0 0 1 1 *" }));
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1 }), ...idle],
      runTask: job.runTask,
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => job.count(1) >= 1, 15_000, "a first fire");
    for (let round = 0; round < 6; round++) {
      for (const t of idle) s.addTask({ ...t, cron: round % 2 === 0 ? "0 0 1 7 *" : "0 0 1 1 *" });
    }
    expect(s.size).toBe(3001);
    for (const t of idle) expect(s.nextRunAt(t.id)?.getUTCMonth()).toBe(0); // the last round's January cron
    const before = job.count(1);
    await waitFor(() => job.count(1) >= before + 3, 15_000, "3 more fires");
    await s.stop(0);
    expectConsecutiveSeconds(job.slots.get(1) ?? []);
    expect([...job.slots.keys()]).toEqual([1]);
  });

  it("stops firing a removed task", async () => {
    const job = recordingJob();
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1 }), makeTask({ id: 2 })],
      runTask: job.runTask,
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => job.count(1) >= 2, 15_000, "2 fires");
    s.removeTask(1);
    expect(s.size).toBe(1);
    expect(s.nextRunAt(1)).toBeNull();
    const firedBefore = job.count(1);
    const otherBefore = job.count(2);
    await waitFor(() => job.count(2) >= otherBefore + 3, 15_000, "3 more fires of the other task");
    expect(job.count(1)).toBe(firedBefore);
  });

  it("does not arm a disabled task, and disarms a task re-added as disabled", async () => {
    const job = recordingJob();
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1, enabled: false }), makeTask({ id: 2 }), makeTask({ id: 3 })],
      runTask: job.runTask,
      logger: memoryLogger(),
    });
    await s.start();
    expect(s.size).toBe(2);
    expect(s.nextRunAt(1)).toBeNull();
    s.addTask(makeTask({ id: 3, enabled: false }));
    expect(s.size).toBe(1);
    await waitFor(() => job.count(2) >= 3, 15_000, "3 fires of the enabled task");
    expect(job.count(1)).toBe(0);
    expect(job.count(3)).toBe(0);
  });

  it("fires every slot of 1,000 per-second tasks, in batches across event-loop turns", async () => {
    const job = recordingJob();
    const tasks = Array.from({ length: 1000 }, (_, i) => makeTask({ id: i + 1 }));
    const s = scheduler({
      loadTasks: async () => tasks,
      runTask: job.runTask,
      logger: memoryLogger(),
      fireBatchSize: 128,
    });
    await s.start();
    expect(s.size).toBe(1000);
    const first = s.nextRunAt(1)?.getTime();
    await waitFor(() => tasks.every((t) => job.count(t.id) >= 3), 25_000, "3 fires of every task");
    await s.stop(0);
    for (const t of tasks) {
      const slots = job.slots.get(t.id) ?? [];
      expect(slots[0]).toBe(first);
      expectConsecutiveSeconds(slots);
    }
  });

  it("fires, in order, every slot that fell due while the event loop was blocked", async () => {
    const job = recordingJob();
    const s = scheduler({ loadTasks: async () => [makeTask({ id: 1 })], runTask: job.runTask, logger: memoryLogger() });
    await s.start();
    await waitFor(() => job.count(1) >= 1, 15_000, "a first fire");
    const blockedAt = Date.now();
    blockEventLoop(2500);
    await waitFor(() => (job.slots.get(1) ?? []).some((at) => at > blockedAt + 3000), 15_000, "fires after the block");
    const slots = job.slots.get(1) ?? [];
    expectConsecutiveSeconds(slots);
    expect(slots.filter((at) => at > blockedAt && at <= blockedAt + 2500).length).toBeGreaterThanOrEqual(2);
  });

  it("skips slots older than the task's misfire grace after a long block, and says so", async () => {
    const job = recordingJob();
    const logger = memoryLogger();
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1, misfireGraceSeconds: 1 })],
      runTask: job.runTask,
      logger,
    });
    await s.start();
    await waitFor(() => job.count(1) >= 1, 15_000, "a first fire");
    const blockedAt = Date.now();
    blockEventLoop(4000);
    await waitFor(() => job.count(1) >= 3, 15_000, "fires after the block");
    const slots = job.slots.get(1) ?? [];
    expect(new Set(slots).size).toBe(slots.length);
    const gaps = slots.slice(1).map((at, i) => at - (slots[i] ?? 0));
    expect(gaps.every((gap) => gap >= 1000 && gap % 1000 === 0)).toBe(true);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(3000); // at least two slots of the block were dropped
    // The slot fired right after the block is within the grace second of when the loop came back.
    expect(slots.filter((at) => at > blockedAt).every((at) => at > blockedAt + 4000 - 1000 - 1000)).toBe(true);
    expect(logger.entries.some((e) => e.level === "warn" && /catch-up bound/.test(e.msg ?? ""))).toBe(true);
  });

  it("logs runTask errors, thrown or rejected, and keeps firing", async () => {
    const logger = memoryLogger();
    const calls = new Map<number, number>();
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1 }), makeTask({ id: 2 }), makeTask({ id: 3 })],
      runTask: (task) => {
        calls.set(task.id, (calls.get(task.id) ?? 0) + 1);
        if (task.id === 1) throw new Error("thrown synchronously");
        if (task.id === 2) return Promise.reject(new Error("rejected"));
        return Promise.resolve();
      },
      logger,
    });
    await s.start();
    await waitFor(() => (calls.get(1) ?? 0) >= 2 && (calls.get(2) ?? 0) >= 2 && (calls.get(3) ?? 0) >= 2, 15_000);
    await sleep(50);
    const errors = logger.entries.filter((e) => e.level === "error" && e.msg === "runTask failed");
    expect(new Set(errors.map((e) => e.obj.taskId))).toEqual(new Set([1, 2]));
    expect(errors.map((e) => (e.obj.err as Error).message)).toContain("thrown synchronously");
    expect(s.size).toBe(3);
  });

  it("logs and leaves out tasks with an invalid cron or zone, arming the rest", async () => {
    const logger = memoryLogger();
    const job = recordingJob();
    const s = scheduler({
      loadTasks: async () => [
        makeTask({ id: 1, cron: "61 * * * *" }),
        makeTask({ id: 2, timezone: "Mars/Olympus_Mons" }),
        makeTask({ id: 3 }),
      ],
      runTask: job.runTask,
      logger,
    });
    await s.start();
    expect(s.size).toBe(1);
    expect(s.nextRunAt(3)).not.toBeNull();
    const bad = logger.entries.filter((e) => e.level === "error").map((e) => e.obj.taskId);
    expect(bad).toEqual([1, 2]);
  });
});

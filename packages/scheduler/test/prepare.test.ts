import { describe, expect, it } from "vitest";
import type { Scheduler } from "../src/index.ts";
import {
  expectConsecutiveSeconds,
  makeTask,
  memoryLogger,
  recordingJob,
  schedulerStoppedAfterEach,
  waitFor,
} from "./helpers.ts";

const scheduler = schedulerStoppedAfterEach();

interface Prepared {
  ids: number[];
  slot: number;
  /** When prepareTasks was called. */
  at: number;
}

describe("preparing slots ahead of time", () => {
  it("hands each slot's tasks to prepareTasks a lead before the slot, then fires them at it", async () => {
    const prepared: Prepared[] = [];
    const fires: Array<{ id: number; slot: number; at: number }> = [];
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1 }), makeTask({ id: 2 }), makeTask({ id: 3, cron: "*/2 * * * * *" })],
      runTask: async (task, scheduledAt) => {
        fires.push({ id: task.id, slot: scheduledAt.getTime(), at: Date.now() });
      },
      prepareTasks: (tasks, scheduledAt) => {
        prepared.push({ ids: tasks.map((t) => t.id).sort(), slot: scheduledAt.getTime(), at: Date.now() });
      },
      leadMs: 300,
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => fires.filter((f) => f.id === 1).length >= 4, 20_000, "4 fires of task 1");
    await s.stop(0);

    // One call per slot, with exactly the tasks due in it, before the slot and after its lead.
    expect(new Set(prepared.map((p) => p.slot)).size).toBe(prepared.length);
    for (const p of prepared) {
      expect(p.ids).toEqual(p.slot % 2000 === 0 ? [1, 2, 3] : [1, 2]);
      // Decided before the slot; the call itself may land a few ms later on a busy machine.
      expect(p.at).toBeLessThan(p.slot + 100);
      expect(p.at).toBeGreaterThanOrEqual(p.slot - 300);
    }
    // A fire happened at or after its slot, not at the preparation, and a prepared slot named it.
    // A slot the timer reached only after its instant (a busy machine) is fired unprepared: there
    // is nothing left to do ahead of it. Most are prepared.
    for (const fire of fires) {
      const prep = prepared.find((p) => p.slot === fire.slot);
      if (prep) expect(prep.ids).toContain(fire.id);
      expect(fire.at).toBeGreaterThanOrEqual(fire.slot);
    }
    const preparedFires = fires.filter((f) => prepared.some((p) => p.slot === f.slot)).length;
    expect(preparedFires).toBeGreaterThan(fires.length / 2);
    expectConsecutiveSeconds(fires.filter((f) => f.id === 1).map((f) => f.slot));
  });

  it("shows the prepared slot as the next run until it fires", async () => {
    let seen: { slot: number; next: number | undefined } | undefined;
    const s: Scheduler = scheduler({
      loadTasks: async () => [makeTask({ id: 1 })],
      runTask: async () => {},
      prepareTasks: (_tasks, scheduledAt) => {
        seen ??= { slot: scheduledAt.getTime(), next: s.nextRunAt(1)?.getTime() };
      },
      leadMs: 400,
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => seen !== undefined, 5_000, "a prepared slot");
    expect(seen?.next).toBe(seen?.slot);
    expect(s.upcoming(1)[0]?.at.getTime()).toBeLessThanOrEqual(seen?.slot ?? 0);
  });

  it("does not fire a prepared slot of a task removed, or re-armed on another schedule, before it", async () => {
    const job = recordingJob();
    const removedAt: Record<number, number> = {};
    const s: Scheduler = scheduler({
      loadTasks: async () => [makeTask({ id: 1 }), makeTask({ id: 2 }), makeTask({ id: 3 })],
      runTask: job.runTask,
      prepareTasks: (tasks, scheduledAt) => {
        if (removedAt[1] !== undefined) return;
        removedAt[1] = scheduledAt.getTime();
        removedAt[2] = scheduledAt.getTime();
        // Inside the lead: task 1 goes away, task 2 moves to every 5 s, task 3 is re-added unchanged.
        expect(tasks.map((t) => t.id).sort()).toEqual([1, 2, 3]);
        s.removeTask(1);
        s.addTask(makeTask({ id: 2, cron: "*/5 * * * * *" }));
        s.addTask(makeTask({ id: 3 }));
      },
      leadMs: 400,
      logger: memoryLogger(),
    });
    await s.start();
    await waitFor(() => job.count(3) >= 3, 10_000, "3 fires of task 3");
    await s.stop(0);
    const slot = removedAt[1] as number;
    expect(job.slots.get(1) ?? []).toEqual([]);
    // Task 2 fires only on its new schedule (the prepared slot too, if it is a multiple of 5 s).
    for (const at of job.slots.get(2) ?? []) expect(at % 5000).toBe(0);
    expect((job.slots.get(2) ?? []).filter((at) => at === slot).length).toBe(slot % 5000 === 0 ? 1 : 0);
    // Task 3 kept its arming: the prepared slot fires once, and the following seconds after it.
    const three = job.slots.get(3) ?? [];
    expect(three[0]).toBe(slot);
    expectConsecutiveSeconds(three);
  });

  it("keeps firing when prepareTasks throws, and logs it", async () => {
    const job = recordingJob();
    const logger = memoryLogger();
    const s = scheduler({
      loadTasks: async () => [makeTask({ id: 1 })],
      runTask: job.runTask,
      prepareTasks: () => {
        throw new Error("database away");
      },
      leadMs: 200,
      logger,
    });
    await s.start();
    await waitFor(() => job.count(1) >= 2, 10_000, "2 fires");
    expect(logger.entries.some((e) => e.level === "error" && e.msg === "prepareTasks failed")).toBe(true);
    expectConsecutiveSeconds(job.slots.get(1) ?? []);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { type SchedulableTask, Scheduler } from "../src/index.ts";
import { makeTask, memoryLogger } from "./helpers.ts";

// The clock is injected and far from real time, so only start()'s misfire pass can fire here.
const NOW = Date.parse("2026-06-01T10:30:30Z");
const running: Scheduler[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop(0)));
});

async function startWith(tasks: SchedulableTask[], now = NOW): Promise<{ taskId: number; at: string }[]> {
  const fired: { taskId: number; at: string }[] = [];
  const s = new Scheduler({
    loadTasks: async () => tasks,
    runTask: async (task, at) => {
      fired.push({ taskId: task.id, at: at.toISOString() });
    },
    logger: memoryLogger(),
    now: () => now,
  });
  running.push(s);
  await s.start();
  return fired;
}

describe("misfires at start-up", () => {
  it("fires only the latest missed slot of a RUN_LATEST task, once", async () => {
    const fired = await startWith([makeTask({ id: 1, cron: "*/5 * * * *", misfirePolicy: "RUN_LATEST" })]);
    expect(fired).toEqual([{ taskId: 1, at: "2026-06-01T10:30:00.000Z" }]);
  });

  it("does not fire a SKIP task's missed slot", async () => {
    const fired = await startWith([makeTask({ id: 1, cron: "*/5 * * * *", misfirePolicy: "SKIP" })]);
    expect(fired).toEqual([]);
  });

  it("does not fire a slot older than misfireGraceSeconds", async () => {
    const hourly = { cron: "0 * * * *", misfirePolicy: "RUN_LATEST" } as const;
    const fired = await startWith([
      makeTask({ id: 1, ...hourly, misfireGraceSeconds: 1800 }), // slot 10:00:00 is 1830 s old
      makeTask({ id: 2, ...hourly, misfireGraceSeconds: 1831 }),
    ]);
    expect(fired).toEqual([{ taskId: 2, at: "2026-06-01T10:00:00.000Z" }]);
  });

  it("does not fire a slot at or before the task's createdAt", async () => {
    const perMinute = { cron: "* * * * *", misfirePolicy: "RUN_LATEST" } as const;
    const fired = await startWith([
      makeTask({ id: 1, ...perMinute, createdAt: new Date("2026-06-01T10:30:00.000Z") }),
      makeTask({ id: 2, ...perMinute, createdAt: new Date("2026-06-01T10:30:10.000Z") }),
      makeTask({ id: 3, ...perMinute, createdAt: new Date("2026-06-01T10:29:59.999Z") }),
    ]);
    expect(fired).toEqual([{ taskId: 3, at: "2026-06-01T10:30:00.000Z" }]);
  });

  it("treats a slot at exactly the start instant as missed, and arms the one after it", async () => {
    const now = Date.parse("2026-06-01T10:30:00Z");
    const fired = await startWith([makeTask({ id: 1, cron: "* * * * *", misfirePolicy: "RUN_LATEST" })], now);
    expect(fired).toEqual([{ taskId: 1, at: "2026-06-01T10:30:00.000Z" }]);
  });

  it("uses the task's own zone for the missed slot", async () => {
    // 18:30 in Shanghai is 10:30 UTC; 06:30 in New York is 10:30 UTC (EDT).
    const fired = await startWith([
      makeTask({ id: 1, cron: "30 18 * * *", timezone: "Asia/Shanghai", misfirePolicy: "RUN_LATEST" }),
      makeTask({ id: 2, cron: "30 6 * * *", timezone: "America/New_York", misfirePolicy: "RUN_LATEST" }),
      makeTask({ id: 3, cron: "30 6 * * *", timezone: "UTC", misfirePolicy: "RUN_LATEST" }),
    ]);
    expect(fired).toEqual([
      { taskId: 1, at: "2026-06-01T10:30:00.000Z" },
      { taskId: 2, at: "2026-06-01T10:30:00.000Z" },
    ]);
  });
});

describe("misfires at start-up, tasks loaded in chunks", () => {
  it("judges every chunk against the start's instant, however long the load takes", async () => {
    let now = NOW;
    const fired: { taskId: number; at: string }[] = [];
    const s = new Scheduler({
      async loadTasks() {
        return (async function* () {
          yield [makeTask({ id: 1, cron: "*/5 * * * *", misfirePolicy: "RUN_LATEST" })];
          // The clock passes a slot of the next chunk's tasks while the load goes on.
          now = Date.parse("2026-06-01T10:35:10Z");
          yield [
            makeTask({
              id: 2,
              cron: "*/5 * * * *",
              misfirePolicy: "RUN_LATEST",
              createdAt: Date.parse("2026-06-01T10:00:00Z"),
            }),
            makeTask({ id: 3, cron: "*/5 * * * *", misfirePolicy: "SKIP" }),
          ];
        })();
      },
      runTask: async (task, at) => {
        fired.push({ taskId: task.id, at: at.toISOString() });
      },
      logger: memoryLogger(),
      now: () => now,
    });
    running.push(s);
    await s.start();
    // 10:30 is each RUN_LATEST task's misfire; 10:35 passed during the load: due, not a misfire.
    expect(fired.filter((f) => f.at === "2026-06-01T10:30:00.000Z").map((f) => f.taskId)).toEqual([1, 2]);
    expect(s.size).toBe(3);
    expect(s.nextRunAt(3)?.toISOString()).toBe("2026-06-01T10:35:00.000Z");
  });
});

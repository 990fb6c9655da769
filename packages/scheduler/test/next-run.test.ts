import { nextRun } from "@crondeck/core";
import { describe, expect, it } from "vitest";
import { Scheduler } from "../src/index.ts";
import { makeTask, memoryLogger } from "./helpers.ts";

// Next-time logic through the scheduler's own arming, with an injected clock. Each step re-arms
// the task at the instant of its previous slot, as the timer path does after firing it.
async function slotsOf(cron: string, timezone: string, from: string, count: number): Promise<string[]> {
  let clock = Date.parse(from);
  const s = new Scheduler({
    loadTasks: async () => [],
    runTask: async () => {},
    logger: memoryLogger(),
    now: () => clock,
  });
  await s.start();
  const slots: string[] = [];
  const task = makeTask({ id: 1, cron, timezone });
  for (let i = 0; i < count; i++) {
    s.removeTask(1);
    s.addTask(task);
    const next = s.nextRunAt(1);
    if (!next) break;
    slots.push(next.toISOString());
    clock = next.getTime();
  }
  await s.stop(0);
  return slots;
}

const NY = "America/New_York";

describe("DST in America/New_York (2026: spring forward 8 March 02:00→03:00, fall back 1 November 02:00→01:00)", () => {
  it("spring forward: a fixed time inside the skipped hour fires once, at 03:00 EDT, that day", async () => {
    expect(await slotsOf("30 2 * * *", NY, "2026-03-07T12:00:00Z", 3)).toEqual([
      "2026-03-08T07:00:00.000Z", // 03:00 EDT: croner moves a fixed time out of the gap to the gap's end
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
      "2026-03-10T06:30:00.000Z",
    ]);
  });

  it("spring forward: interval patterns have no 02:xx slots that day", async () => {
    expect(await slotsOf("0 * * * *", NY, "2026-03-08T05:30:00Z", 3)).toEqual([
      "2026-03-08T06:00:00.000Z", // 01:00 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT, one real hour later
      "2026-03-08T08:00:00.000Z",
    ]);
    // A list is not a fixed time: 02:15 does not exist that day and is not moved.
    expect(await slotsOf("15 1,2 * * *", NY, "2026-03-08T00:00:00Z", 3)).toEqual([
      "2026-03-08T06:15:00.000Z", // 01:15 EST
      "2026-03-09T05:15:00.000Z", // 01:15 EDT next day
      "2026-03-09T06:15:00.000Z", // 02:15 EDT
    ]);
  });

  it("fall back: a fixed time inside the repeated hour fires once, at its first (EDT) occurrence", async () => {
    expect(await slotsOf("30 1 * * *", NY, "2026-10-31T12:00:00Z", 3)).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT; 01:30 EST (06:30Z) does not fire
      "2026-11-02T06:30:00.000Z", // 01:30 EST
      "2026-11-03T06:30:00.000Z",
    ]);
  });

  it("fall back: interval patterns fire in both occurrences of the repeated hour", async () => {
    expect(await slotsOf("0 * * * *", NY, "2026-11-01T04:30:00Z", 4)).toEqual([
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T07:00:00.000Z", // 02:00 EST
      "2026-11-01T08:00:00.000Z",
    ]);
    expect(await slotsOf("*/30 1 * * *", NY, "2026-11-01T04:30:00Z", 5)).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-02T06:00:00.000Z",
    ]);
  });
});

describe("nextRunAt", () => {
  const now = Date.parse("2026-06-01T10:30:30.250Z");
  const tasks = [
    makeTask({ id: 1, cron: "0 9 * * 1-5", timezone: "Asia/Shanghai" }),
    makeTask({ id: 2, cron: "*/10 * * * * *", timezone: "UTC" }),
    makeTask({ id: 3, cron: "@daily", timezone: "Europe/Berlin" }),
    makeTask({ id: 4, cron: "0 0 1 1 *", timezone: "America/New_York" }),
  ];

  it("agrees with @crondeck/core's nextRun for every task, in its own zone", async () => {
    const s = new Scheduler({
      loadTasks: async () => tasks,
      runTask: async () => {},
      logger: memoryLogger(),
      now: () => now,
    });
    await s.start();
    for (const t of tasks) {
      expect(s.nextRunAt(t.id)).toEqual(nextRun(t.cron, t.timezone, new Date(now)));
    }
    expect(s.nextRunAt(2)?.toISOString()).toBe("2026-06-01T10:30:40.000Z");
    expect(s.nextRunAt(3)?.toISOString()).toBe("2026-06-01T22:00:00.000Z"); // midnight CEST
    expect(s.nextRunAt(99)).toBeNull();
    await s.stop(0);
  });

  it("moves when a task's zone changes", async () => {
    const s = new Scheduler({
      loadTasks: async () => tasks,
      runTask: async () => {},
      logger: memoryLogger(),
      now: () => now,
    });
    await s.start();
    s.addTask({ ...(tasks[2] as (typeof tasks)[number]), timezone: "Asia/Tokyo" });
    expect(s.nextRunAt(3)?.toISOString()).toBe("2026-06-01T15:00:00.000Z"); // midnight JST
    await s.stop(0);
  });
});

describe("upcoming", () => {
  it("lists the soonest fires across tasks, soonest first", async () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    const s = new Scheduler({ loadTasks: async () => [], runTask: async () => {}, now: () => now });
    await s.start();
    const base = {
      enabled: true,
      misfirePolicy: "SKIP" as const,
      misfireGraceSeconds: 60,
      createdAt: new Date(now),
      timezone: "UTC",
    };
    s.addTask({ ...base, id: 1, cron: "0 5 * * *" });
    s.addTask({ ...base, id: 2, cron: "0 1 * * *" });
    s.addTask({ ...base, id: 3, cron: "0 3 * * *" });
    s.addTask({ ...base, id: 4, cron: "0 2 * * *" });
    expect(s.upcoming(3).map((u) => [u.id, u.at.getUTCHours()])).toEqual([
      [2, 1],
      [4, 2],
      [3, 3],
    ]);
    expect(s.upcoming(10)).toHaveLength(4);
    await s.stop(0);
  });
});

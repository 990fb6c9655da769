import { describe, expect, it } from "vitest";
import {
  buildCron,
  defaultSchedule,
  EVERY_STEPS,
  parseSchedule,
  SCHEDULE_KINDS,
  type Schedule,
} from "./cron-builder.ts";

function everySchedule(): Schedule[] {
  const out: Schedule[] = [];
  for (const every of EVERY_STEPS) out.push({ kind: "seconds", every }, { kind: "minutes", every });
  for (let minute = 0; minute < 60; minute += 7) {
    out.push({ kind: "hourly", minute });
    for (let hour = 0; hour < 24; hour += 5) {
      out.push({ kind: "daily", hour, minute });
      for (const day of [1, 15, 28, 31]) out.push({ kind: "monthly", day, hour, minute });
    }
  }
  // Every non-empty set of weekdays, at two times.
  for (let mask = 1; mask < 128; mask++) {
    const days = [0, 1, 2, 3, 4, 5, 6].filter((d) => mask & (1 << d));
    out.push({ kind: "weekly", days, hour: 9, minute: 30 }, { kind: "weekly", days, hour: 23, minute: 0 });
  }
  return out;
}

describe("cron builder", () => {
  it("reads back every schedule it writes (builder → expression → builder)", () => {
    const schedules = everySchedule();
    expect(schedules.length).toBeGreaterThan(500);
    for (const s of schedules) expect(parseSchedule(buildCron(s)), buildCron(s)).toEqual(s);
  });

  it("writes back every expression it reads (expression → builder → expression)", () => {
    for (const cron of [
      "*/5 * * * *",
      "* * * * *",
      "*/30 * * * * *",
      "* * * * * *",
      "0 * * * *",
      "45 * * * *",
      "0 3 * * *",
      "30 9 * * 1-5",
      "0 18 * * 0,6",
      "15 7 * * 1,3,5",
      "0 0 1 * *",
      "30 23 31 * *",
    ]) {
      const s = parseSchedule(cron);
      expect(s, cron).not.toBeNull();
      expect(buildCron(s as Schedule)).toBe(cron);
    }
  });

  it("names the expressions it writes", () => {
    expect(buildCron({ kind: "weekly", days: [5, 1, 3, 2, 4], hour: 9, minute: 30 })).toBe("30 9 * * 1-5");
    expect(buildCron({ kind: "weekly", days: [0, 1, 6], hour: 8, minute: 0 })).toBe("0 8 * * 0,1,6");
    expect(buildCron({ kind: "monthly", day: 15, hour: 2, minute: 5 })).toBe("5 2 15 * *");
    expect(parseSchedule("  0   3 * * *  ")).toEqual({ kind: "daily", hour: 3, minute: 0 });
  });

  it("calls anything it would not write a custom expression", () => {
    for (const cron of [
      "",
      "nonsense",
      "*/7 * * * *", // not an even step of the hour
      "0 0 * * * *", // six fields that are not every N seconds
      "00 3 * * *", // leading zero: written back it would change
      "0 3 * * MON-FRI",
      "0 3 * * 1,2,3", // a run the builder writes as 1-3
      "0 3 * * 7",
      "0 3 1 1 *",
      "0 3 1 * 1",
      "0 9-17 * * *",
      "60 * * * *",
      "0 24 * * *",
      "0 3 32 * *",
      "0 3 * * 5-1",
      "@daily",
    ])
      expect(parseSchedule(cron), cron).toBeNull();
  });

  it("starts each preset from a schedule it can read back", () => {
    for (const kind of SCHEDULE_KINDS)
      expect(parseSchedule(buildCron(defaultSchedule(kind)))).toEqual(defaultSchedule(kind));
  });
});

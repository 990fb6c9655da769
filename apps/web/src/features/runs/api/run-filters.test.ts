import { describe, expect, it } from "vitest";
import { daysAgoInput, filtersFromSearch, fromLocalInput, taskChoices, toLocalInput } from "./run-filters.ts";

describe("filtersFromSearch", () => {
  it("reads every filter the API knows", () => {
    const params = new URLSearchParams(
      "page=3&pageSize=50&taskId=7&status=FAILED&trigger=RETRY&from=2026-11-01T00:00:00.000Z&to=2026-11-02T00:00:00.000Z&notifyFailed=true",
    );
    expect(filtersFromSearch(params)).toEqual({
      page: 3,
      pageSize: 50,
      taskId: 7,
      status: "FAILED",
      trigger: "RETRY",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-02T00:00:00.000Z",
      notifyFailed: true,
    });
  });

  it("drops what the API would refuse instead of showing an error page", () => {
    const params = new URLSearchParams(
      "page=-1&pageSize=7&taskId=abc&status=DONE&trigger=CRON&from=soon&to=2026-01-01T00:00:00Z",
    );
    expect(filtersFromSearch(params)).toEqual({ page: 1, pageSize: 20, to: "2026-01-01T00:00:00.000Z" });
    const reversed = new URLSearchParams("from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z");
    expect(filtersFromSearch(reversed)).toEqual({ page: 1, pageSize: 20, from: "2026-11-02T00:00:00.000Z" });
  });
});

describe("local inputs", () => {
  it("round-trips a datetime-local value through an ISO instant", () => {
    const iso = fromLocalInput("2026-11-05T08:30");
    expect(iso).not.toBeNull();
    expect(toLocalInput(iso as string)).toBe("2026-11-05T08:30");
    expect(fromLocalInput("")).toBeNull();
    expect(toLocalInput(undefined)).toBe("");
  });

  it("reads a date input as the start of that day", () => {
    expect(toLocalInput(fromLocalInput("2026-11-05") as string)).toBe("2026-11-05T00:00");
  });

  it("names the day some days ago", () => {
    expect(daysAgoInput(30, new Date(2026, 11, 1, 15, 0))).toBe("2026-11-01");
  });
});

describe("taskChoices", () => {
  const tasks = [
    { id: 1, name: "a" },
    { id: 2, name: "b" },
  ];
  it("lists the tasks by name, and a chosen task beyond them by id first", () => {
    expect(taskChoices(tasks, 2, (id) => `#${id}`)).toEqual([
      { value: 1, label: "a" },
      { value: 2, label: "b" },
    ]);
    expect(taskChoices(tasks, 9, (id) => `#${id}`)[0]).toEqual({ value: 9, label: "#9" });
    expect(taskChoices(tasks, undefined, (id) => `#${id}`)).toHaveLength(2);
  });
});

import { NOTIFY_POLICIES, type NotifyPolicy, RUN_STATUSES, type RunStatus } from "@crondeck/core";
import { describe, expect, it } from "vitest";
import { shouldNotify } from "../src/index.ts";

// Written out in full so a change to the rules shows up as a change to this table.
const EXPECTED: Record<NotifyPolicy, Record<RunStatus, boolean>> = {
  NONE: {
    QUEUED: false,
    RUNNING: false,
    SUCCEEDED: false,
    FAILED: false,
    TIMED_OUT: false,
    CANCELED: false,
    SKIPPED: false,
    LOST: false,
  },
  ON_FAILURE: {
    QUEUED: false,
    RUNNING: false,
    SUCCEEDED: false,
    FAILED: true,
    TIMED_OUT: true,
    CANCELED: false,
    SKIPPED: false,
    LOST: true,
  },
  ON_END: {
    QUEUED: false,
    RUNNING: false,
    SUCCEEDED: true,
    FAILED: true,
    TIMED_OUT: true,
    CANCELED: true,
    SKIPPED: false,
    LOST: true,
  },
  // With a keyword matched; without one ON_KEYWORD never notifies (checked below).
  ON_KEYWORD: {
    QUEUED: false,
    RUNNING: false,
    SUCCEEDED: true,
    FAILED: true,
    TIMED_OUT: true,
    CANCELED: true,
    SKIPPED: true,
    LOST: true,
  },
};

describe("shouldNotify", () => {
  const cases = NOTIFY_POLICIES.flatMap((policy) => RUN_STATUSES.map((status) => [policy, status] as const));

  it.each(cases)("%s × %s with a matched keyword", (policy, status) => {
    expect(shouldNotify(policy, { status, matchedKeywords: ["ERROR"] })).toBe(EXPECTED[policy][status]);
  });

  it.each(cases)("%s × %s without a matched keyword", (policy, status) => {
    const expected = policy === "ON_KEYWORD" ? false : EXPECTED[policy][status];
    expect(shouldNotify(policy, { status, matchedKeywords: [] })).toBe(expected);
  });
});

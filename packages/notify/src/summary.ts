import type { Run, Task } from "@crondeck/core";
import type { RunSummary } from "./types.ts";

function toDate(iso: string | null): Date | null {
  return iso ? new Date(iso) : null;
}

/** Builds the summary from the API shapes the engine already has. */
export function toRunSummary(task: Pick<Task, "id" | "name" | "mode">, run: Run): RunSummary {
  return {
    taskId: task.id,
    taskName: task.name,
    mode: task.mode,
    trigger: run.trigger,
    status: run.status,
    scheduledAt: new Date(run.scheduledAt),
    startedAt: toDate(run.startedAt),
    finishedAt: toDate(run.finishedAt),
    durationMs: run.durationMs,
    exitCode: run.exitCode,
    httpStatus: run.httpStatus,
    output: run.output,
    truncated: run.truncated,
    error: run.error,
    matchedKeywords: run.matchedKeywords,
    runId: run.id,
    attempt: run.attempt,
    executor: run.executor,
  };
}

/** A plausible finished run for test messages; `overrides` lets the API put the task's own name in it. */
export function sampleRunSummary(overrides: Partial<RunSummary> = {}, now: Date = new Date()): RunSummary {
  return {
    taskId: 0,
    taskName: "sample-task",
    mode: "SHELL",
    trigger: "MANUAL",
    status: "SUCCEEDED",
    scheduledAt: new Date(now.getTime() - 1500),
    startedAt: new Date(now.getTime() - 1200),
    finishedAt: now,
    durationMs: 1200,
    exitCode: 0,
    httpStatus: null,
    output: "Hello from Crondeck!\nIf you can read this, notifications reach you.",
    truncated: false,
    error: null,
    matchedKeywords: [],
    runId: 0,
    attempt: 1,
    executor: null,
    ...overrides,
    test: true,
  };
}

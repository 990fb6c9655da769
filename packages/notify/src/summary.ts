import type { RunSummary } from "./types.ts";

/**
 * A run as the API shows it (instants as ISO text), as far as a summary reads it: the engine hands
 * over its own view of the run (the server's Run type, from the API schemas), other fields and all.
 */
type RunView = Omit<
  RunSummary,
  "taskId" | "taskName" | "mode" | "scheduledAt" | "startedAt" | "finishedAt" | "runId" | "test"
> & {
  id: number;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  [field: string]: unknown;
};

function toDate(iso: string | null): Date | null {
  return iso ? new Date(iso) : null;
}

/** Builds the summary from the API shapes the engine already has. */
export function toRunSummary(task: { id: number; name: string; mode: string }, run: RunView): RunSummary {
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

import type { NotifyPolicy } from "@crondeck/core";
import { messagesFor, type NotifyLanguage } from "./messages.ts";
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

/** What a message needs of the task besides the run: its zone, its retries, its language. */
export interface SummaryTask {
  id: number;
  name: string;
  mode: string;
  timezone?: string;
  retryCount?: number;
  language?: NotifyLanguage | null;
}

/** Builds the summary from the API shapes the engine already has. */
export function toRunSummary(task: SummaryTask, run: RunView): RunSummary {
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
    errorCode: run.errorCode ?? null,
    errorParams: run.errorParams ?? null,
    matchedKeywords: run.matchedKeywords,
    runId: run.id,
    attempt: run.attempt,
    maxAttempts: task.retryCount == null ? null : task.retryCount + 1,
    timezone: task.timezone ?? null,
    language: task.language ?? null,
    executor: run.executor,
  };
}

/** The task being edited, as the test message describes it. */
export type TestTask = SummaryTask & { notifyPolicy?: NotifyPolicy | null; notifyKeywords?: readonly string[] };

/**
 * The test message's run: the task as the form holds it (name, zone, language, retries) with a
 * sample outcome its policy would notify about, a failure on the last attempt for ON_FAILURE, a
 * keyword match with its own keywords for ON_KEYWORD, else a success. Always marked as a test.
 */
export function testRunSummary(task: TestTask, now: Date = new Date()): RunSummary {
  const m = messagesFor(task.language);
  const maxAttempts = (task.retryCount ?? 0) + 1;
  const failed = task.notifyPolicy === "ON_FAILURE";
  const keywords = task.notifyPolicy === "ON_KEYWORD" ? (task.notifyKeywords ?? []).slice(0, 5) : [];
  const output = [m.sample.output, ...keywords.map((keyword) => `${keyword}: ${m.sample.keywordLine}`)].join("\n");
  return sampleRunSummary(
    {
      taskId: task.id,
      taskName: task.name,
      mode: task.mode,
      trigger: failed && maxAttempts > 1 ? "RETRY" : "SCHEDULE",
      status: failed ? "FAILED" : "SUCCEEDED",
      exitCode: failed ? 1 : 0,
      error: failed ? m.sample.error : null,
      output,
      matchedKeywords: keywords,
      attempt: failed ? maxAttempts : 1,
      maxAttempts,
      timezone: task.timezone ?? null,
      language: task.language ?? null,
    },
    now,
  );
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

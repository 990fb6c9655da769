import {
  FINAL_RUN_STATUSES,
  type NotifyPolicy,
  RETRYABLE_RUN_STATUSES,
  type RunStatus,
  type RunTrigger,
} from "@crondeck/core";
import type { RunRow } from "@crondeck/db";
import { shouldNotify } from "@crondeck/notify";
import type { Run } from "../routes/api/runs/schema.ts";
import { parseRunParameters } from "../tasks/run-parameters.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A run row as the API returns it. */
export function toApiRun(row: RunRow): Run {
  return {
    id: row.id,
    taskId: row.taskId,
    trigger: row.trigger as RunTrigger,
    scheduledAt: row.scheduledAt.toISOString(),
    attempt: row.attempt,
    rootRunId: row.rootRunId,
    status: row.status as RunStatus,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.durationMs,
    exitCode: row.exitCode,
    httpStatus: row.httpStatus,
    output: row.output,
    truncated: row.truncated,
    outputBytes: row.outputBytes,
    error: row.error,
    errorCode: row.errorCode,
    errorParams: row.errorParams === null ? null : (JSON.parse(row.errorParams) as Record<string, string | number>),
    executor: row.executor,
    matchedKeywords: JSON.parse(row.matchedKeywords) as string[],
    triggeredByRunId: row.triggeredByRunId,
    parameters: parseRunParameters(row.parameters)?.view ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * How long after a fire's last attempt ended its notification may still be on its way (deliveries
 * retry with backoff, SMTP and webhooks time out slowly); past it, nothing recorded means none came.
 */
export const NOTIFY_PENDING_MS = 10 * 60_000;

/**
 * Whether a notification for this run is still to be recorded: it is its fire's last attempt (no
 * retry coming), the task's policy asks for one, and none is recorded yet. The notifier records a
 * delivery only once it has succeeded or given up, so until then the run page says "sending".
 */
export function notificationPending(
  run: RunRow,
  task: { notifyPolicy: string; retryCount: number },
  latestAttempt: number,
  recorded: number,
  now = Date.now(),
): boolean {
  const status = run.status as RunStatus;
  if (recorded > 0 || !FINAL_RUN_STATUSES.includes(status) || !run.finishedAt) return false;
  if (now - run.finishedAt.getTime() > NOTIFY_PENDING_MS || run.attempt < latestAttempt) return false;
  if (RETRYABLE_RUN_STATUSES.includes(status) && run.attempt <= task.retryCount) return false;
  const matchedKeywords = JSON.parse(run.matchedKeywords) as string[];
  return shouldNotify(task.notifyPolicy as NotifyPolicy, { status, matchedKeywords });
}

import type { Run, RunStatus, RunTrigger } from "@crondeck/core";
import type { RunRow } from "@crondeck/db";

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
    executor: row.executor,
    matchedKeywords: JSON.parse(row.matchedKeywords) as string[],
    createdAt: row.createdAt.toISOString(),
  };
}

import { FINAL_RUN_STATUSES, type NotifyPolicy, type RunStatus } from "@crondeck/core";

const FAILURE_STATUSES: readonly RunStatus[] = ["FAILED", "TIMED_OUT", "LOST"];

/**
 * Whether a finished run is worth a message under the task's policy.
 *
 * - Nothing notifies before the run is final (QUEUED, RUNNING).
 * - ON_FAILURE: FAILED, TIMED_OUT and LOST. CANCELED is not a failure: a person stopped it on purpose.
 * - ON_END: every final status except SKIPPED. A SKIPPED record means the fire never ran (the task was
 *   still running under FORBID); with a frequent cron and a slow task that would be one message per
 *   fire saying nothing happened. CANCELED does notify: the run did start and did end.
 * - ON_KEYWORD: when any keyword matched the output, whatever the status.
 */
export function shouldNotify(policy: NotifyPolicy, run: { status: RunStatus; matchedKeywords: string[] }): boolean {
  if (!FINAL_RUN_STATUSES.includes(run.status)) return false;
  switch (policy) {
    case "NONE":
      return false;
    case "ON_FAILURE":
      return FAILURE_STATUSES.includes(run.status);
    case "ON_END":
      return run.status !== "SKIPPED";
    case "ON_KEYWORD":
      return run.matchedKeywords.length > 0;
  }
}

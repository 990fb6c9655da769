// The domain vocabulary shared by the API, the engine and the dashboard (SPEC §1–§2). The API's
// shapes (a task, a run, a page of them) are not here: the server's TypeBox schemas define them, and
// clients take them from the OpenAPI document through @crondeck/api-client.

/** A task mode's name (SHELL, HTTP, … as registered: GET /api/meta lists an app's). */
export type TaskMode = string;

export const CONCURRENCY_POLICIES = ["FORBID", "ALLOW"] as const;
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number];

export const MISFIRE_POLICIES = ["SKIP", "RUN_LATEST"] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const NOTIFY_POLICIES = ["NONE", "ON_FAILURE", "ON_END", "ON_KEYWORD"] as const;
export type NotifyPolicy = (typeof NOTIFY_POLICIES)[number];

/** A notification channel's name (EMAIL, WEBHOOK, … as registered). */
export type NotifyChannel = string;

/** DEPENDENCY: started by the end of an upstream task's fire (see Task.dependsOn). */
export const RUN_TRIGGERS = ["SCHEDULE", "MANUAL", "RETRY", "DEPENDENCY"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/**
 * When an upstream fire starts a dependent task, by the fire's final outcome (its last attempt):
 * SUCCESS = SUCCEEDED; FAILURE = FAILED, TIMED_OUT or LOST; END = any of those or CANCELED.
 */
export const DEPENDENCY_CONDITIONS = ["SUCCESS", "FAILURE", "END"] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

/** At most this many upstream tasks per task. */
export const MAX_DEPENDENCIES = 20;

/** Whether a fire whose last attempt ended `status` meets `on` (SKIPPED meets none). */
export function dependencyMet(on: DependencyCondition, status: RunStatus): boolean {
  if (on === "SUCCESS") return status === "SUCCEEDED";
  if (on === "FAILURE") return status === "FAILED" || status === "TIMED_OUT" || status === "LOST";
  return status !== "SKIPPED" && status !== "QUEUED" && status !== "RUNNING";
}

/** One upstream of a task. */
export interface TaskDependencyRef {
  taskId: number;
  on: DependencyCondition;
}

export const RUN_STATUSES = [
  "QUEUED",
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "CANCELED",
  "SKIPPED",
  "LOST",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run never leaves. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "CANCELED",
  "SKIPPED",
  "LOST",
];
/** Final statuses after which another attempt is made while attempts remain. */
export const RETRYABLE_RUN_STATUSES: readonly RunStatus[] = ["FAILED", "TIMED_OUT", "LOST"];

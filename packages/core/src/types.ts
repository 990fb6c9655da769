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

export const RUN_TRIGGERS = ["SCHEDULE", "MANUAL", "RETRY"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

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

// The domain vocabulary shared by the API, the engine and the dashboard (SPEC §1–§2).

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

/**
 * A task as the API returns it. The fields of the built-in modes (command, http*) and channels
 * (notify* but policy, channel and keywords) are typed here for clients; a registered mode or
 * channel adds its own fields.
 */
export interface Task {
  id: number;
  name: string;
  mode: TaskMode;
  httpMethod: string | null;
  cron: string;
  timezone: string;
  command: string;
  httpHeaders: Record<string, string>;
  httpBody: string | null;
  executorGroup: string;
  timeoutSeconds: number;
  retryCount: number;
  retryIntervalSeconds: number;
  concurrencyPolicy: ConcurrencyPolicy;
  misfirePolicy: MisfirePolicy;
  misfireGraceSeconds: number;
  notifyPolicy: NotifyPolicy;
  notifyChannel: NotifyChannel | null;
  notifyEmails: string[];
  notifyWebhookUrl: string | null;
  notifyWebhookFormat: string | null;
  /** Write-only: the API says whether a secret is set, never what it is. */
  notifyWebhookSecretSet: boolean;
  notifyKeywords: string[];
  /** The language of its notifications; null: the server's default (GET /api/settings `notifyLanguage`). */
  notifyLanguage: "zh" | "en" | null;
  /** Environment of its runs (NAME → value); values may reference secrets as ${secret:NAME}. */
  env: Record<string, string>;
  enabled: boolean;
  remark: string;
  /** Who looks after it (a person, a team); "" when nobody was named. */
  owner: string;
  /** Its tags, case kept, in the order given; no two the same ignoring case. */
  tags: string[];
  createdAt: string;
  updatedAt: string;
  nextRunAt: string | null;
  /** Upstream tasks whose fires start this one. */
  dependsOn: TaskDependencyRef[];
  /** true: start once all upstreams ended as required for the same slot; false: each on its own. */
  dependsOnAll: boolean;
  /** On create and edit only: what will keep the task from running as saved (it is saved anyway). */
  warnings?: TaskWarning[];
}

/** A warning about a saved task, by code (the dashboard words it in the user's language). */
export interface TaskWarning {
  code: "NO_LIVE_EXECUTOR";
  message: string;
  params: { group: string; seconds: number };
}

/** One attempt of a task, as the API returns it. */
export interface Run {
  id: number;
  taskId: number;
  trigger: RunTrigger;
  scheduledAt: string;
  attempt: number;
  rootRunId: number | null;
  status: RunStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  exitCode: number | null;
  httpStatus: number | null;
  output: string;
  truncated: boolean;
  outputBytes: number;
  /** Why it did not succeed, in English (for API users and logs). */
  error: string | null;
  /** The same as a code and its params, for clients that say it in their own language. */
  errorCode: string | null;
  errorParams: Record<string, string | number> | null;
  executor: string | null;
  matchedKeywords: string[];
  /** trigger DEPENDENCY (and its retries): the upstream run whose end started this fire. */
  triggeredByRunId: number | null;
  /** A manual run's parameters as readers see them (secret fields masked); null when none were given. */
  parameters: RunParameters | null;
  createdAt: string;
}

/** What a manual run was given: variables over the task's environment, and fields its mode lets a run override. */
export interface RunParameters {
  env?: Record<string, string>;
  [field: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  /** Runs lists: more match than were counted; `total` is the count limit. */
  totalCapped?: boolean;
}

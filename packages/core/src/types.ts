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
  createdAt: string;
  updatedAt: string;
  nextRunAt: string | null;
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
  error: string | null;
  executor: string | null;
  matchedKeywords: string[];
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  /** Runs lists: more match than were counted; `total` is the count limit. */
  totalCapped?: boolean;
}

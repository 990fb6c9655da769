import {
  CONTROL,
  checkCron,
  type DependencyCondition,
  type Fail,
  type FieldError,
  isValidTimezone,
  LONE_SURROGATE,
  normalizeTags,
  OWNER_MAX_LENGTH,
  parseList,
  type TaskDependencyRef,
} from "@crondeck/core";
import { type TaskRow, taskNameKey } from "@crondeck/db";
import { validationError } from "../lib/errors.ts";
import type { TaskInput } from "../routes/api/tasks/schema.ts";
import type { TaskModules } from "./modules.ts";
import { type TaskRecord, toApiTask } from "./repository.ts";

// The rules of SPEC §1 that a JSON schema can't express. Every create, replace and patch goes
// through normalizeTask, so there is one place that decides what a valid task is; the fields of a
// task's mode and notification channels are checked by their modules (tasks/modules.ts).

/** What a SHELL environment variable may be called (POSIX). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The rules of a task's `env` (and of a run's `env` parameter, which overlays it). */
export function checkEnv(env: Record<string, string>, fail: Fail): void {
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name))
      fail(`env.${name}`, "must be a variable name: letters, digits and _, not starting with a digit", "PATTERN");
    else if (name.startsWith("CRONDECK_"))
      fail(`env.${name}`, "must not start with CRONDECK_: those name the run itself", "INVALID");
    if (value.includes("\0")) fail(`env.${name}`, "must not contain NUL characters", "NUL_CHARS");
  }
}

/**
 * The columns a task write sets (JSON-encoded lists and settings included), and the mode's
 * searchable text, from which the repository derives the task list's search column.
 */
export type TaskWrite = Omit<
  TaskRow,
  "id" | "createdAt" | "updatedAt" | "searchText" | "nextRunAtMs" | "lastRunId" | "lastRunStatus" | "lastRunFinishedAt"
> & {
  modeText: string;
  /** Its upstream tasks (TaskDependency rows); left out of a write that keeps them. */
  dependsOn?: TaskDependencyRef[];
};

/**
 * Checks and completes a task input. `previous` is the stored task for PUT/PATCH: secrets the API
 * never returns (a signing secret) and masked credentials sent back as `***` keep their stored values.
 */
export function normalizeTask(
  modules: TaskModules,
  input: TaskInput,
  defaultZone: string,
  previous?: TaskRow,
): TaskWrite {
  const errors: FieldError[] = [];
  const fail: Fail = (field, message, code, params) =>
    errors.push({ field, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });

  const name = input.name.trim();
  if (name.length < 1 || name.length > 64)
    fail("name", "must be 1–64 characters after trimming", "MAX_LENGTH", { limit: 64 });
  if (CONTROL.test(name))
    fail("name", "must not contain control characters (tabs, line breaks, NUL, escape…)", "CONTROL_CHARS");
  if (LONE_SURROGATE.test(name))
    fail("name", "must be valid Unicode text (it holds half a surrogate pair)", "INVALID_UNICODE");

  const timezone = input.timezone ?? previous?.timezone ?? defaultZone;
  const zoneOk = isValidTimezone(timezone);
  if (!zoneOk) fail("timezone", `is not a known IANA time zone: ${timezone}`, "UNKNOWN_ZONE", { value: timezone });
  const cron = input.cron.trim();
  const cronCheck = checkCron(cron, zoneOk ? timezone : "UTC");
  if (!cronCheck.ok)
    fail("cron", `is not a valid cron expression: ${cronCheck.error}`, "CRON", { reason: cronCheck.error ?? "" });

  const notifyPolicy = input.notifyPolicy ?? "NONE";
  const notifyChannel = input.notifyChannel ?? null;
  const notifyKeywords = parseList(input.notifyKeywords);
  if (notifyPolicy !== "NONE" && notifyChannel === null) {
    fail("notifyChannel", "is required when notifyPolicy is not NONE", "REQUIRED_UNLESS", {
      field: "notifyPolicy",
      value: "NONE",
    });
  }
  const settings = modules.normalize(input, notifyPolicy !== "NONE", previous, fail);
  if (notifyKeywords.length > 50) fail("notifyKeywords", "must have at most 50 keywords", "MAX_ITEMS", { limit: 50 });
  notifyKeywords.forEach((keyword, i) => {
    if (keyword.length > 128)
      fail(`notifyKeywords[${i}]`, "must be at most 128 characters", "MAX_LENGTH", { limit: 128 });
  });
  if (notifyPolicy === "ON_KEYWORD" && notifyKeywords.length === 0) {
    fail("notifyKeywords", "needs at least one keyword when notifyPolicy is ON_KEYWORD", "REQUIRED_WHEN", {
      field: "notifyPolicy",
      value: "ON_KEYWORD",
    });
  }

  const env = input.env ?? {};
  checkEnv(env, fail);

  const owner = (input.owner ?? "").trim();
  if ([...owner].length > OWNER_MAX_LENGTH)
    fail("owner", `must be at most ${OWNER_MAX_LENGTH} characters`, "MAX_LENGTH", { limit: OWNER_MAX_LENGTH });
  if (CONTROL.test(owner))
    fail("owner", "must not contain control characters (tabs, line breaks, NUL, escape…)", "CONTROL_CHARS");
  if (LONE_SURROGATE.test(owner))
    fail("owner", "must be valid Unicode text (it holds half a surrogate pair)", "INVALID_UNICODE");
  const tags = normalizeTags(input.tags ?? [], fail);
  // Which tasks exist and whether they make a cycle is the repository's to check (it reads them).
  const dependsOn: TaskDependencyRef[] = [];
  const seen = new Set<number>();
  for (const [i, ref] of (input.dependsOn ?? []).entries()) {
    if (seen.has(ref.taskId)) {
      fail(`dependsOn[${i}].taskId`, `names task ${ref.taskId} a second time`, "DUPLICATE", { value: ref.taskId });
      continue;
    }
    seen.add(ref.taskId);
    dependsOn.push({ taskId: ref.taskId, on: (ref.on ?? "SUCCESS") as DependencyCondition });
  }

  if (errors.length > 0) throw validationError(errors);

  return {
    name,
    nameKey: taskNameKey(name),
    mode: input.mode,
    modeSettings: settings.modeSettings,
    modeText: settings.modeText,
    cron,
    timezone,
    executorGroup: input.executorGroup ?? "default",
    timeoutSeconds: input.timeoutSeconds ?? 60,
    retryCount: input.retryCount ?? 0,
    retryIntervalSeconds: input.retryIntervalSeconds ?? 60,
    concurrencyPolicy: input.concurrencyPolicy ?? "FORBID",
    misfirePolicy: input.misfirePolicy ?? "SKIP",
    misfireGraceSeconds: input.misfireGraceSeconds ?? 3600,
    notifyPolicy,
    notifyChannel,
    notifySettings: settings.notifySettings,
    notifyKeywords: JSON.stringify(notifyKeywords),
    // The schema allows zh, en or null only; null follows the server's default when a message is sent.
    notifyLanguage: input.notifyLanguage ?? null,
    env: JSON.stringify(env),
    enabled: input.enabled ?? true,
    remark: input.remark ?? "",
    owner,
    tags: JSON.stringify(tags),
    dependsOn,
    dependsOnAll: input.dependsOnAll ?? false,
  };
}

/** The stored task as an input, so PATCH can merge a few fields into it and re-check the whole. */
export function rowToInput(modules: TaskModules, row: TaskRecord): TaskInput {
  // The API view minus what is assigned or computed; write-only secrets stay out (omitted means "keep").
  const { id, createdAt, updatedAt, nextRunAt, ...input } = toApiTask(modules, row, () => null) as unknown as Record<
    string,
    unknown
  >;
  for (const name of modules.writeOnlyFields()) delete input[`${name}Set`];
  return input as TaskInput;
}

import {
  CONCURRENCY_POLICIES,
  DEPENDENCY_CONDITIONS,
  MAX_DEPENDENCIES,
  MISFIRE_POLICIES,
  NOTIFY_POLICIES,
  RUN_STATUSES,
} from "@crondeck/core";
import { NOTIFY_LANGUAGES } from "@crondeck/notify";
import { type Static, type TObject, type TSchema, Type } from "typebox";
import { Nullable, PageOf, PageQuery, ref, StringEnum } from "../../../lib/schemas.ts";
import type { TaskModules } from "../../../tasks/modules.ts";

// Shapes and ranges are checked here (and published in OpenAPI); rules that depend on several
// fields (mode, policy, channel) or need code (cron, zone, URL) are in src/tasks/normalize.ts.
// The fields of task modes and notification channels (command, httpHeaders, notifyEmails, …) come
// from their modules (src/tasks/modules.ts): taskSchemas() composes them with the fields here.

const DEPENDENCY_ON =
  "the upstream fire's final outcome (after its last attempt) that starts this task: SUCCESS (SUCCEEDED), FAILURE (FAILED, TIMED_OUT or LOST) or END (any of those or CANCELED; never SKIPPED)";
const DependencyOn = StringEnum(DEPENDENCY_CONDITIONS, { description: DEPENDENCY_ON });

const DependsOnInput = Type.Array(
  Type.Object(
    {
      taskId: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: "the upstream task" }),
      on: Type.Optional(StringEnum(DEPENDENCY_CONDITIONS, { description: `${DEPENDENCY_ON}; default SUCCESS` })),
    },
    { additionalProperties: false },
  ),
  {
    maxItems: MAX_DEPENDENCIES,
    description: `upstream tasks (at most ${MAX_DEPENDENCIES}) whose fires start this task with trigger DEPENDENCY; no cycles`,
  },
);

/** The fields every task has, whatever its mode and channel. */
const TaskInputBase = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: "1–64 characters after trimming; unique" }),
  mode: Type.String({ maxLength: 16, description: "a task mode (see GET /api/meta)" }),
  cron: Type.String({
    maxLength: 128,
    description: "croner syntax: 5 fields (minute first), 6 fields (seconds first) or @hourly-style nicknames",
  }),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone; default: the server's zone" })),
  executorGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.:-]+$" })),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  retryCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  retryIntervalSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  concurrencyPolicy: Type.Optional(StringEnum(CONCURRENCY_POLICIES)),
  misfirePolicy: Type.Optional(StringEnum(MISFIRE_POLICIES)),
  misfireGraceSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  notifyPolicy: Type.Optional(StringEnum(NOTIFY_POLICIES)),
  notifyChannel: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
  notifyKeywords: Type.Optional(
    Type.Union([Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 }), Type.String({ maxLength: 32_768 })], {
      description: "keywords, as an array or one string split on `,` or `，`",
    }),
  ),
  notifyLanguage: Type.Optional(
    Nullable(
      StringEnum(NOTIFY_LANGUAGES, {
        description: "language of its notifications (zh, en); null or omitted: the server's default (NOTIFY_LANGUAGE)",
      }),
    ),
  ),
  env: Type.Optional(
    Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 4096 }), {
      maxProperties: 50,
      description:
        "environment of its runs: variables of a SHELL run, ${NAME} in an HTTP task's URL, headers and body; values may reference secrets as ${secret:NAME}",
    }),
  ),
  enabled: Type.Optional(Type.Boolean()),
  remark: Type.Optional(Type.String({ maxLength: 255 })),
  owner: Type.Optional(
    Type.String({
      maxLength: 256,
      description: "who looks after it (a person, a team): at most 64 characters after trimming",
    }),
  ),
  tags: Type.Optional(
    Type.Array(Type.String({ maxLength: 256 }), {
      maxItems: 100,
      description:
        "at most 20 tags, each 1–32 characters after trimming: letters (any script), digits and _ . : / -; case is kept, repeats ignoring case are dropped",
    }),
  ),
  dependsOn: Type.Optional(DependsOnInput),
  dependsOnAll: Type.Optional(
    Type.Boolean({
      description:
        "false (default): each upstream fire starts this task on its own; true: it starts once when every upstream has ended as required for the same slot (scheduledAt)",
    }),
  ),
});

/** A task as the API takes it: the base fields plus those of every mode and channel (by name). */
export type TaskInput = Static<typeof TaskInputBase> & { [field: string]: unknown };

const TASK_INPUT_OPTIONS = {
  additionalProperties: false,
  // Named request examples in the OpenAPI document (the linter checks them against this schema).
  "x-examples": {
    shell: {
      summary: "A nightly SHELL script, retried twice, email on failure",
      value: {
        name: "nightly-backup",
        mode: "SHELL",
        cron: "0 3 * * *",
        timezone: "Asia/Shanghai",
        command: "/opt/scripts/backup.sh",
        timeoutSeconds: 1800,
        retryCount: 2,
        retryIntervalSeconds: 300,
        notifyPolicy: "ON_FAILURE",
        notifyChannel: "EMAIL",
        notifyEmails: ["ops@example.com"],
      },
    },
    http: {
      summary: "An HTTP check every 5 minutes, created disabled",
      value: {
        name: "ping-api",
        mode: "HTTP",
        httpMethod: "GET",
        cron: "*/5 * * * *",
        command: "https://api.example.com/health",
        timeoutSeconds: 10,
        enabled: false,
      },
    },
  },
};

const TASK_PATCH_OPTIONS = {
  additionalProperties: false,
  minProperties: 1,
  "x-examples": {
    disable: { summary: "Disable a task (operators may do this)", value: { enabled: false } },
    reschedule: {
      summary: "Change the schedule and retries, keep the rest",
      value: { cron: "30 2 * * *", retryCount: 3 },
    },
  },
};
export type TaskPatch = Partial<TaskInput>;

export const LastRun = Type.Object({
  id: Type.Integer(),
  status: StringEnum(RUN_STATUSES),
  finishedAt: Nullable(Type.String({ format: "date-time" })),
});

export const TaskWarning = Type.Object({
  code: StringEnum(["NO_LIVE_EXECUTOR"] as const, {
    description: "NO_LIVE_EXECUTOR: no live executor serves the task's group (with NATS)",
  }),
  message: Type.String(),
  params: Type.Object({ group: Type.String(), seconds: Type.Integer() }),
});
export type TaskWarning = Static<typeof TaskWarning>;

/** The fields every task view has; the modes' and channels' fields join them in taskSchemas(). */
const TaskViewBase = {
  id: Type.Integer(),
  name: Type.String(),
  mode: Type.String(),
  cron: Type.String(),
  timezone: Type.String(),
  executorGroup: Type.String(),
  timeoutSeconds: Type.Integer(),
  retryCount: Type.Integer(),
  retryIntervalSeconds: Type.Integer(),
  concurrencyPolicy: StringEnum(CONCURRENCY_POLICIES),
  misfirePolicy: StringEnum(MISFIRE_POLICIES),
  misfireGraceSeconds: Type.Integer(),
  notifyPolicy: StringEnum(NOTIFY_POLICIES),
  notifyChannel: Nullable(Type.String()),
  notifyKeywords: Type.Array(Type.String()),
  notifyLanguage: Nullable(
    StringEnum(NOTIFY_LANGUAGES, { description: "null: the server's default (GET /api/settings notifyLanguage)" }),
  ),
  env: Type.Record(Type.String(), Type.String()),
  enabled: Type.Boolean(),
  remark: Type.String(),
  owner: Type.String({ description: '"" when nobody was named' }),
  tags: Type.Array(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  nextRunAt: Nullable(
    Type.String({ format: "date-time", description: "next fire in the task's zone; null when disabled" }),
  ),
  dependsOn: Type.Array(Type.Object({ taskId: Type.Integer(), on: DependencyOn })),
  dependsOnAll: Type.Boolean(),
  lastRun: Type.Optional(Nullable(LastRun)),
  warnings: Type.Optional(
    Type.Array(TaskWarning, {
      description: "on create and edit: what will keep it from running as saved (it is saved all the same)",
    }),
  ),
};

/** A task as the API returns it: the base fields, plus those of its app's modes and channels (by name). */
export type Task = Static<TObject<typeof TaskViewBase>> & { [field: string]: unknown };

export const TaskSort = StringEnum(["name", "nextRunAt", "lastStatus", "createdAt", "id"] as const);

export const TaskListQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          "part of the name, the command, the remark, the owner or a tag; A-Z match either case, % and _ match themselves",
      }),
    ),
    mode: Type.Optional(Type.String({ maxLength: 16 })),
    enabled: Type.Optional(Type.Boolean()),
    tag: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 20,
        description: "repeatable (`tag=a&tag=b`): tasks that have every tag given, ignoring case",
      }),
    ),
    owner: Type.Optional(
      Type.String({ maxLength: 64, description: "tasks of this owner, exactly as stored; empty: no filter" }),
    ),
    sort: Type.Optional(TaskSort),
    order: Type.Optional(StringEnum(["asc", "desc"] as const)),
  },
  { additionalProperties: false },
);
export type TaskListQuery = Static<typeof TaskListQuery>;

export const BULK_ACTIONS = ["enable", "disable", "run", "delete", "addTag", "removeTag"] as const;
const DependencyItem = Type.Object({
  taskId: Type.Integer(),
  name: Type.String(),
  on: DependencyOn,
  enabled: Type.Boolean(),
});

export const TaskDependencies = Type.Object({
  upstream: Type.Array(DependencyItem, { description: "the tasks this one depends on, by name" }),
  downstream: Type.Array(DependencyItem, {
    description: "the tasks that depend on this one (each with the outcome of this task it waits for), by name",
  }),
});

export const BulkInput = Type.Object(
  {
    action: StringEnum(BULK_ACTIONS, {
      description: "enable, disable and run need the operator role; delete, addTag and removeTag (edits) need admin",
    }),
    tag: Type.Optional(
      Type.String({ maxLength: 256, description: "addTag and removeTag: the tag (removeTag ignores case)" }),
    ),
    ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
      minItems: 1,
      maxItems: 500,
      description: "task ids, at most 500; repeated ids are acted on once",
    }),
  },
  {
    additionalProperties: false,
    "x-examples": {
      disable: { summary: "Disable three tasks", value: { action: "disable", ids: [3, 7, 12] } },
      addTag: { summary: "Tag two tasks", value: { action: "addTag", ids: [3, 7], tag: "team:ops" } },
    },
  },
);
export type BulkInput = Static<typeof BulkInput>;

export const BulkItemResult = Type.Object({
  id: Type.Integer(),
  ok: Type.Boolean(),
  code: Type.Optional(Type.String({ description: "why it failed, e.g. NOT_FOUND for an unknown id" })),
  error: Type.Optional(Type.String()),
  runId: Type.Optional(Type.Integer({ description: "the run started (action run)" })),
});
export type BulkItemResult = Static<typeof BulkItemResult>;

export const BulkResult = Type.Object({
  action: StringEnum(BULK_ACTIONS),
  results: Type.Array(BulkItemResult, { description: "one per distinct id, in the order given" }),
});

/**
 * The task schemas of an app, with the fields of its modes and channels: what the routes check and
 * the OpenAPI document publishes. Mode and channel names are enums of the registered ones. Task
 * and TaskPage are published by name (components/schemas, see ref()).
 */
export function taskSchemas(modules: TaskModules) {
  const modeEnum = StringEnum(modules.modes.names);
  const channelEnum = StringEnum(modules.channels.names);
  const inputProperties: Record<string, TSchema> = {
    ...TaskInputBase.properties,
    mode: modeEnum,
    notifyChannel: Type.Optional(Nullable(channelEnum)),
    ...modules.inputFields(),
  };
  const TaskInput = Type.Object(inputProperties, TASK_INPUT_OPTIONS);
  const TaskPatch = Type.Partial(TaskInput, TASK_PATCH_OPTIONS);
  const Task = Type.Object(
    {
      ...TaskViewBase,
      mode: modeEnum,
      notifyChannel: Nullable(channelEnum),
      ...modules.viewFields(),
    },
    { $id: "Task" },
  );
  const TaskPage = Type.Object(PageOf(ref(Task)).properties, { $id: "TaskPage" });
  const TaskListQueryOfApp = Type.Object(
    { ...TaskListQuery.properties, mode: Type.Optional(modeEnum) },
    { additionalProperties: false },
  );
  return { TaskInput, TaskPatch, Task, TaskPage, TaskListQuery: TaskListQueryOfApp };
}

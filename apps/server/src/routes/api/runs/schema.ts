import { RUN_STATUSES, RUN_TRIGGERS } from "@crondeck/core";
import { type Static, Type } from "typebox";
import { Nullable, PageOf, PageQuery, ref, StringEnum } from "../../../lib/schemas.ts";

const runFields = {
  id: Type.Integer(),
  taskId: Type.Integer(),
  taskName: Type.String(),
  trigger: StringEnum(RUN_TRIGGERS),
  scheduledAt: Type.String({
    format: "date-time",
    description: "the slot this fire was for (request time for MANUAL)",
  }),
  attempt: Type.Integer({ description: "1 for the first attempt of a fire, then 2, 3 … for retries" }),
  rootRunId: Nullable(Type.Integer({ description: "the fire's first attempt, for retries" })),
  status: StringEnum(RUN_STATUSES),
  startedAt: Nullable(Type.String({ format: "date-time" })),
  finishedAt: Nullable(Type.String({ format: "date-time" })),
  durationMs: Nullable(Type.Integer()),
  exitCode: Nullable(Type.Integer()),
  httpStatus: Nullable(Type.Integer()),
  truncated: Type.Boolean({ description: "output exceeded the limit; its head and tail are kept" }),
  outputBytes: Type.Integer({ description: "bytes the run produced in all" }),
  error: Nullable(Type.String({ description: "why it did not succeed, in English" })),
  errorCode: Nullable(
    Type.String({
      description:
        "the error as a code (EXIT_CODE, TIMED_OUT, HTTP_STATUS, NO_LIVE_EXECUTOR, …), for clients that say it in their own language; null for runs recorded before codes existed",
    }),
  ),
  errorParams: Nullable(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
      description: "the values the error names (exit code, seconds, HTTP status, group, …)",
    }),
  ),
  executor: Nullable(Type.String({ description: "the process (host:pid) or executor that ran it" })),
  matchedKeywords: Type.Array(Type.String()),
  triggeredByRunId: Nullable(
    Type.Integer({ description: "trigger DEPENDENCY (and its retries): the upstream run whose end started this fire" }),
  ),
  parameters: Nullable(
    Type.Object(
      { env: Type.Optional(Type.Record(Type.String(), Type.String())) },
      {
        additionalProperties: true,
        description:
          "a manual run's parameters (POST /api/tasks/{id}/run): env laid over the task's, and the mode fields it overrode, secret ones masked; the same on every attempt of the fire; null when none",
      },
    ),
  ),
  createdAt: Type.String({ format: "date-time" }),
};

// RunListItem, RunDetail and RunPage are published by name (components/schemas, see ref()).

export const RunListItem = Type.Object(
  {
    ...runFields,
    notificationsSent: Type.Integer({ description: "notifications recorded for this run, delivered or not" }),
    notificationsFailed: Type.Integer({ description: "of those, the ones that could not be delivered" }),
  },
  { $id: "RunListItem" },
);

export const Notification = Type.Object({
  channel: Type.String({ description: "the notification channel (EMAIL, WEBHOOK, … see GET /api/meta)" }),
  target: Type.String(),
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
  attempts: Type.Integer(),
  sentAt: Type.String({ format: "date-time" }),
});

export const RunDetail = Type.Object(
  {
    ...runFields,
    output: Type.String(),
    notifications: Type.Array(Notification),
    triggeredBy: Nullable(
      Type.Object(
        { runId: Type.Integer(), taskId: Type.Integer(), taskName: Type.String() },
        {
          description:
            "the upstream run that started this fire and its task; null when not DEPENDENCY or since deleted",
        },
      ),
    ),
    blockedBy: Nullable(
      Type.Integer({ description: "for a run SKIPPED by the FORBID policy: the run of the task that was under way" }),
    ),
    attempts: Type.Array(
      Type.Object({ id: Type.Integer(), attempt: Type.Integer(), status: StringEnum(RUN_STATUSES) }),
      {
        description: "every attempt of this run's fire (same first attempt), first to latest",
      },
    ),
    maxAttempts: Type.Integer({ description: "1 + the task's retryCount: how many attempts a fire may take" }),
    nextAttemptAt: Nullable(
      Type.String({
        format: "date-time",
        description: "when the retry of this failed attempt is due; null when none is coming",
      }),
    ),
    notificationPending: Type.Boolean({
      description:
        "true while the notification the task's policy asks for after this run (its fire's last attempt) is being delivered and none is recorded yet",
    }),
    fullOutput: Type.Object(
      {
        kept: Type.Boolean({
          description:
            "the whole output can be downloaded (GET /api/runs/{id}/output): kept compressed, or held whole by `output`. False: only the head and tail in `output` were kept (the run is older than the full-output budget kept, or ran where none is kept)",
        }),
        bytes: Nullable(Type.Integer({ description: "bytes the download holds; null when not kept" })),
        compressedBytes: Type.Integer({ description: "bytes stored compressed (0 when `output` holds it all)" }),
        capped: Type.Boolean({
          description: "the output was over RUN_OUTPUT_MAX_BYTES: its middle was dropped, and a line in it says so",
        }),
      },
      { description: "the run's whole output, as GET /api/runs/{id}/output serves it" },
    ),
  },
  { $id: "RunDetail" },
);

/** A run as the engine hands it around (toApiRun, live status events): its own fields and output. */
export type Run = Omit<Static<typeof RunFields>, "taskName"> & Pick<Static<typeof RunDetail>, "output">;
const RunFields = Type.Object(runFields);

export const RunPage = Type.Object(
  {
    ...PageOf(ref(RunListItem)).properties,
    totalCapped: Type.Boolean({
      description:
        "true when more runs match than are counted (10,000): `total` is then that limit, and later pages are still served",
    }),
  },
  { $id: "RunPage" },
);

export const RunListQuery = Type.Object(
  {
    ...PageQuery.properties,
    taskId: Type.Optional(Type.Integer({ minimum: 1 })),
    status: Type.Optional(StringEnum(RUN_STATUSES)),
    trigger: Type.Optional(StringEnum(RUN_TRIGGERS)),
    executor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: "the process or executor that ran it (exact)" }),
    ),
    from: Type.Optional(Type.String({ format: "date-time", description: "scheduled at or after" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "scheduled before" })),
    notifyFailed: Type.Optional(
      Type.Boolean({ description: "true: only runs with a notification that could not be delivered" }),
    ),
  },
  { additionalProperties: false },
);
export type RunListQuery = Static<typeof RunListQuery>;

export const TaskRunsQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(StringEnum(RUN_STATUSES)) },
  { additionalProperties: false },
);

export const RunStarted = Type.Object({ runId: Type.Integer() });

export const RunCleanupBody = Type.Object(
  {
    before: Type.String({
      format: "date-time",
      description: "delete ended runs that finished before this instant",
      examples: ["2026-01-01T00:00:00Z"],
    }),
    taskId: Type.Optional(Type.Integer({ minimum: 1, description: "only this task's runs" })),
    dryRun: Type.Optional(Type.Boolean({ description: "count what would be deleted, delete nothing", default: false })),
  },
  { additionalProperties: false, examples: [{ before: "2026-01-01T00:00:00Z", taskId: 12, dryRun: true }] },
);

export const RunCleanupResult = Type.Object({
  runs: Type.Integer({ description: "runs deleted (or, for a dry run, that would be)" }),
  dryRun: Type.Boolean(),
  keptSince: Type.String({
    format: "date-time",
    description: "runs scheduled at or after this instant are always kept (the last 24 hours)",
  }),
});

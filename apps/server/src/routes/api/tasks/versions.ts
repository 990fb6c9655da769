import type { TaskRow } from "@crondeck/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { errors, IdParams, Nullable, PageOf, PageQuery, StringEnum } from "../../../lib/schemas.ts";
import { toApiTask } from "../../../tasks/repository.ts";
import {
  actorOf,
  diffRows,
  readSnapshot,
  rowAt,
  TaskVersions,
  VERSION_ACTIONS,
  type VersionRow,
} from "../../../tasks/versions.ts";
import { taskSchemas } from "./schema.ts";

// A task's edit history (README "Edit history"): its saved versions, what each changed, and revert.

const tags = ["tasks"];

const VersionParams = Type.Object({
  id: IdParams.properties.id,
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

const VersionsQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false });

const DiffQuery = Type.Object(
  {
    against: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: "the version to compare with; default: the one before",
      }),
    ),
  },
  { additionalProperties: false },
);

const VersionActor = Type.Object({
  userId: Nullable(Type.Integer()),
  name: Type.String({
    description: "the user (a token acts as its user), or system for a task stored before the history",
  }),
  via: Nullable(StringEnum(["session", "token"] as const)),
  tokenId: Nullable(Type.Integer({ description: "the API token that acted, when via is token" })),
});

const TaskVersionSummary = Type.Object({
  version: Type.Integer(),
  createdAt: Type.String({ format: "date-time" }),
  action: StringEnum(VERSION_ACTIONS),
  actor: VersionActor,
  changedFields: Type.Array(Type.String(), {
    description: "the task fields this version changed from the one before (none for the first)",
  }),
});
type TaskVersionSummary = Static<typeof TaskVersionSummary>;

const FieldChange = Type.Object({
  field: Type.String(),
  before: Type.Optional(Type.Unknown({ description: "as the task view shows it; absent for a write-only secret" })),
  after: Type.Optional(Type.Unknown()),
  secret: Type.Optional(Type.Boolean({ description: "a write-only secret changed; its values are never shown" })),
});

const versionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tasks, engine, modules } = app;
  const { Task } = taskSchemas(modules);
  const versions = new TaskVersions(app.database.db);
  const view = (row: TaskRow) => toApiTask(modules, row, engine.nextRunAt);
  /** The task as it was at a version: nothing about it is next, so no next run. */
  const stateAt = (current: TaskRow, saved: VersionRow) =>
    rowAt(current, readSnapshot(saved.snapshot, current), saved.createdAt);

  const summary = (current: TaskRow, saved: VersionRow, before: VersionRow | undefined): TaskVersionSummary => ({
    version: saved.version,
    createdAt: saved.createdAt.toISOString(),
    action: saved.action as TaskVersionSummary["action"],
    actor: {
      userId: saved.actorId,
      name: saved.actorName,
      via: saved.via as TaskVersionSummary["actor"]["via"],
      tokenId: saved.tokenId,
    },
    changedFields: before
      ? diffRows(modules, stateAt(current, before), stateAt(current, saved)).map((change) => change.field)
      : [],
  });

  app.get(
    "/:id/versions",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "listTaskVersions",
        summary: "A task's saved versions (edit history), newest first, with the fields each changed",
        params: IdParams,
        querystring: VersionsQuery,
        response: { 200: PageOf(TaskVersionSummary), ...errors(400, 404) },
      },
    },
    async (req) => {
      const current = await tasks.get(req.params.id);
      const page = req.query.page ?? 1;
      const pageSize = req.query.pageSize ?? 20;
      const { rows, total } = await versions.page(current.id, page, pageSize);
      // The page holds one more row than it shows: the version before its last, for changedFields.
      const items = rows.slice(0, pageSize).map((saved, i) => summary(current, saved, rows[i + 1]));
      return { items, total, page, pageSize };
    },
  );

  app.get(
    "/:id/versions/:version",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "getTaskVersion",
        summary: "A task as it was saved at a version (secrets hidden as in the task view; updatedAt: when saved)",
        params: VersionParams,
        response: { 200: Task, ...errors(400, 404) },
      },
    },
    async (req) => {
      const current = await tasks.get(req.params.id);
      const saved = await versions.get(current.id, req.params.version);
      return toApiTask(modules, stateAt(current, saved), () => null);
    },
  );

  app.get(
    "/:id/versions/:version/diff",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "diffTaskVersion",
        summary: "What changed from another version (default: the one before) to this one, field by field",
        params: VersionParams,
        querystring: DiffQuery,
        response: { 200: Type.Array(FieldChange), ...errors(400, 404) },
      },
    },
    async (req) => {
      const current = await tasks.get(req.params.id);
      const saved = await versions.get(current.id, req.params.version);
      const against =
        req.query.against !== undefined
          ? await versions.get(current.id, req.query.against)
          : await versions.before(current.id, saved.version);
      if (!against) return [];
      return diffRows(modules, stateAt(current, against), stateAt(current, saved));
    },
  );

  app.post(
    "/:id/versions/:version/revert",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "revertTask",
        summary:
          "Restore a task's fields as saved at a version (secrets included), saved as a new version; nothing changes when it is already so",
        params: VersionParams,
        response: {
          200: Type.Object({
            version: Nullable(
              Type.Integer({ description: "the version the revert saved; null when the task was already so" }),
            ),
            task: Task,
          }),
          ...errors(400, 404, 409),
        },
      },
    },
    async (req) => {
      const previous = await tasks.get(req.params.id);
      const row = await tasks.revert(previous, versions, req.params.version, { action: "revert", actor: actorOf(req) });
      if (!row) return { version: null, task: view(previous) };
      engine.taskSaved(row);
      const task = view(row);
      await app.audit.record(req, {
        action: "task.update",
        targetType: "task",
        targetId: row.id,
        taskId: row.id,
        before: view(previous),
        after: { ...task, revertedToVersion: req.params.version },
      });
      return { version: await versions.latest(row.id), task };
    },
  );
};

export default versionsRoutes;

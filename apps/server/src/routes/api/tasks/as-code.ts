import { tagKey } from "@crondeck/core";
import { type Db, type TaskRow, taskNameKey } from "@crondeck/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { ApiError, notFound } from "../../../lib/errors.ts";
import { errors, Nullable, StringEnum } from "../../../lib/schemas.ts";
import { exportTasks, type PlannedWrite, parseTasksFile, planTasks } from "../../../tasks/as-code.ts";
import { dependsOnOf, replaceDependsOn } from "../../../tasks/dependencies.ts";
import { type TaskRecord, TaskRepository, toApiTask } from "../../../tasks/repository.ts";
import { actorOf } from "../../../tasks/versions.ts";

// Tasks as code (README "Tasks as code"): export to YAML, plan a file against the stored tasks,
// apply the plan. The dashboard and the CLI both use these routes.

const tags = ["tasks"];

/** A file of 10 000 tasks fits; the app's 1 MiB limit is for single tasks. */
const FILE_LIMIT = 16 * 1024 * 1024;

const ExportQuery = Type.Object(
  {
    ids: Type.Optional(
      Type.String({
        pattern: "^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9})*$",
        maxLength: 20_000,
        description: "comma-separated task ids; all tasks when absent",
      }),
    ),
    tag: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 20,
        description: "repeatable: only the tasks that have every tag given (ignoring case); combines with ids",
      }),
    ),
  },
  { additionalProperties: false },
);

const TASKS_EXAMPLE = `version: 1
tasks:
  nightly-backup:
    mode: SHELL
    cron: 0 3 * * *
    timezone: Asia/Shanghai
    command: /opt/scripts/backup.sh
    timeoutSeconds: 1800
`;

const PlanInput = Type.Object(
  {
    yaml: Type.String({
      maxLength: FILE_LIMIT,
      description: "the tasks file (YAML), as `GET /api/tasks/export` writes it",
    }),
    prune: Type.Optional(
      Type.Boolean({
        description: "also delete the stored tasks the file does not name; default false (never deletes)",
      }),
    ),
  },
  {
    additionalProperties: false,
    "x-examples": { file: { summary: "Plan one task", value: { yaml: TASKS_EXAMPLE, prune: false } } },
  },
);

const ApplyInput = Type.Object(
  {
    ...PlanInput.properties,
    fingerprint: Type.String({
      pattern: "^[0-9a-f]{64}$",
      description: "the fingerprint of the plan being applied; 409 PLAN_STALE when the tasks changed since",
    }),
  },
  {
    additionalProperties: false,
    "x-examples": {
      file: {
        summary: "Apply a plan",
        value: { yaml: TASKS_EXAMPLE, prune: false, fingerprint: "0".repeat(64) },
      },
    },
  },
);

const FieldChange = Type.Object({
  field: Type.String(),
  before: Type.Unknown({ description: "as every reader sees it: credentials masked (***)" }),
  after: Type.Unknown(),
});

const PLAN_ACTIONS = ["create", "update", "delete", "unchanged"] as const;

const PlanItem = Type.Object({
  name: Type.String(),
  action: StringEnum(PLAN_ACTIONS),
  id: Nullable(Type.Integer({ description: "the stored task (null for create)" })),
  changes: Type.Array(FieldChange, { description: "update: each field that changes" }),
});

const Plan = Type.Object({
  fingerprint: Type.String({ description: "send it back to apply this plan" }),
  prune: Type.Boolean(),
  summary: Type.Object({
    create: Type.Integer(),
    update: Type.Integer(),
    delete: Type.Integer(),
    unchanged: Type.Integer(),
  }),
  items: Type.Array(PlanItem, { description: "the file's tasks in its order, then the deletions" }),
});
export type PlanView = Static<typeof Plan>;

/** Tasks with their upstreams loaded (what plans and exports compare and write). */
async function withDependsOn(db: Db, rows: TaskRow[]): Promise<TaskRecord[]> {
  const dependsOn = await dependsOnOf(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({ ...row, dependsOn: dependsOn.get(row.id) ?? [] }));
}

const asCodeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { engine, config, database, modules } = app;

  app.get(
    "/export",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "exportTasks",
        summary: "Export tasks as a YAML tasks file (secrets masked or left out)",
        querystring: ExportQuery,
        response: {
          200: {
            description: "the tasks file",
            content: { "application/yaml": { schema: Type.String() } },
          },
          ...errors(400, 404),
        },
      },
    },
    async (req, reply) => {
      let rows: TaskRow[];
      // Each tag is one look-up in TaskTag's (tagKey, taskId) index.
      const keys = [...new Set((req.query.tag ?? []).map(tagKey).filter((key) => key !== ""))];
      const tagged = keys.length > 0 ? { AND: keys.map((key) => ({ tagRows: { some: { tagKey: key } } })) } : {};
      if (req.query.ids) {
        const ids = [...new Set(req.query.ids.split(",").map(Number))];
        const named = await database.db.task.findMany({ where: { id: { in: ids } } });
        const found = new Set(named.map((row) => row.id));
        const missing = ids.find((id) => !found.has(id));
        if (missing !== undefined) throw notFound("task", missing);
        rows = keys.length > 0 ? await database.db.task.findMany({ where: { id: { in: ids }, ...tagged } }) : named;
      } else {
        rows = await database.db.task.findMany({ where: tagged });
      }
      const records = await withDependsOn(database.db, rows);
      // The upstreams' names, also of those outside the selection.
      const upstreamIds = [...new Set(records.flatMap((row) => (row.dependsOn ?? []).map((ref) => ref.taskId)))];
      const upstreams = await database.db.task.findMany({
        where: { id: { in: upstreamIds } },
        select: { id: true, name: true },
      });
      const names = new Map(upstreams.map((row) => [row.id, row.name]));
      return reply
        .type("application/yaml; charset=utf-8")
        .header("content-disposition", 'attachment; filename="crondeck-tasks.yaml"')
        .send(exportTasks(modules, records, names));
    },
  );

  app.post(
    "/plan",
    {
      // Reads only: a viewer token can check in CI that the stored tasks match the repository.
      config: { access: "viewer" },
      bodyLimit: FILE_LIMIT * 2,
      schema: {
        tags,
        operationId: "planTasks",
        summary: "Compare a tasks file with the stored tasks: what apply would create, change and delete",
        body: PlanInput,
        response: { 200: Plan, ...errors(400) },
      },
    },
    async (req) => {
      const file = parseTasksFile(modules, req.body.yaml);
      const stored = await withDependsOn(database.db, await database.db.task.findMany());
      return planTasks(modules, file, stored, { prune: req.body.prune ?? false, defaultZone: config.timezone }).plan;
    },
  );

  app.post(
    "/apply",
    {
      config: { access: "admin" },
      bodyLimit: FILE_LIMIT * 2,
      schema: {
        tags,
        operationId: "applyTasks",
        summary: "Apply a plan of a tasks file, all or nothing; refused with 409 PLAN_STALE if the tasks changed since",
        body: ApplyInput,
        response: { 200: Plan, ...errors(400, 409) },
      },
    },
    async (req) => {
      const file = parseTasksFile(modules, req.body.yaml);
      const prune = req.body.prune ?? false;
      // The plan is made again inside the transaction, so what is written is what was compared.
      const { plan, saved, deleted } = await database.db.$transaction(
        async (tx) => {
          const stored = await withDependsOn(tx as unknown as Db, await tx.task.findMany());
          const { plan, writes } = planTasks(modules, file, stored, { prune, defaultZone: config.timezone });
          if (plan.fingerprint !== req.body.fingerprint) {
            throw new ApiError(
              409,
              "PLAN_STALE",
              "the tasks or the file changed since this plan was made; plan again and apply the new plan",
            );
          }
          // The repository's own writes (list columns, name conflicts), on the transaction's client.
          const repo = new TaskRepository(tx as unknown as Db, database.provider, modules);
          const saved: Array<{ write: PlannedWrite; row: TaskRecord }> = [];
          const deleted: PlannedWrite[] = [];
          // Deletions first, so a file may give a pruned task's name to a new one.
          for (const write of writes) {
            if (write.action !== "delete") continue;
            await repo.delete(write.previous.id);
            deleted.push(write);
          }
          // Versions are written on the same transaction, so a failed apply leaves no history either.
          const by = { action: "import", actor: actorOf(req) } as const;
          for (const write of writes) {
            if (write.action === "create") saved.push({ write, row: await repo.create(write.data, by) });
            else if (write.action === "update")
              saved.push({ write, row: await repo.update(write.previous, write.data, by) });
          }
          // Upstreams by name once every task of the file exists (the plan checked names and cycles).
          const ids = new Map(
            (await tx.task.findMany({ select: { id: true, nameKey: true } })).map((r) => [r.nameKey, r.id]),
          );
          for (const entry of saved) {
            const { write } = entry;
            if (write.action === "delete" || !write.dependsOn) continue;
            const refs = write.dependsOn.flatMap((dep) => {
              const id = ids.get(taskNameKey(dep.task));
              return id === undefined ? [] : [{ taskId: id, on: dep.on }];
            });
            await replaceDependsOn(tx as unknown as Db, entry.row.id, refs);
            entry.row = { ...entry.row, dependsOn: refs };
          }
          return { plan, saved, deleted };
        },
        { maxWait: 10_000, timeout: 120_000 },
      );
      const view = (row: TaskRecord) => toApiTask(modules, row, engine.nextRunAt);
      for (const write of deleted) {
        if (write.action !== "delete") continue;
        engine.taskDeleted(write.previous.id);
        await app.audit.record(req, {
          action: "task.delete",
          targetType: "task",
          targetId: write.previous.id,
          taskId: write.previous.id,
          before: view(write.previous),
        });
      }
      for (const { write, row } of saved) {
        engine.taskSaved(row);
        await app.audit.record(req, {
          action: write.action === "create" ? "task.create" : "task.update",
          targetType: "task",
          targetId: row.id,
          taskId: row.id,
          ...(write.action === "update" ? { before: view(write.previous) } : {}),
          after: view(row),
        });
      }
      await app.audit.record(req, {
        action: "tasks.apply",
        targetType: "task",
        after: { fingerprint: plan.fingerprint, prune, summary: plan.summary },
      });
      return plan;
    },
  );
};

export default asCodeRoutes;

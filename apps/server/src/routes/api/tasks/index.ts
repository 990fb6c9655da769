import type { TaskRow } from "@crondeck/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { roleAtLeast } from "../../../auth/roles.ts";
import { ApiError } from "../../../lib/errors.ts";
import { errors, IdParams, ref } from "../../../lib/schemas.ts";
import { callerOf } from "../../../plugins/app/auth.ts";
import { normalizeTask, rowToInput, type TaskWrite } from "../../../tasks/normalize.ts";
import { toApiTask } from "../../../tasks/repository.ts";
import { RunPage, RunStarted, TaskRunsQuery } from "../runs/schema.ts";
import {
  BulkInput,
  type BulkItemResult,
  BulkResult,
  type TaskInput,
  type TaskListQuery,
  type TaskPatch,
  taskSchemas,
} from "./schema.ts";

const tags = ["tasks"];

const tasksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tasks, runs, engine, config, modules } = app;
  const { Task, TaskInput, TaskPage, TaskPatch, TaskListQuery } = taskSchemas(modules);
  const view = (row: TaskRow) => toApiTask(modules, row, engine.nextRunAt);
  const audit = (req: FastifyRequest, action: string, taskId: number, change: { before?: unknown; after?: unknown }) =>
    app.audit.record(req, { action, targetType: "task", targetId: taskId, taskId, ...change });

  /** PUT and PATCH: store the checked change, re-arm the task, audit the change. */
  async function saveEdit(req: FastifyRequest, previous: TaskRow, change: Partial<TaskWrite>, onlyToggles: boolean) {
    const row = await tasks.update(previous, change);
    engine.taskSaved(row);
    const task = view(row);
    const warnings = engine.warningsFor(row);
    const toggled = onlyToggles && previous.enabled !== row.enabled;
    const action = toggled ? (row.enabled ? "task.enable" : "task.disable") : "task.update";
    await audit(req, action, row.id, { before: view(previous), after: task });
    return warnings.length > 0 ? { ...task, warnings } : task;
  }

  // The single routes and /bulk share these, so the engine and the audit log hear of every change
  // the same way whichever route made it.
  async function setEnabled(req: FastifyRequest, previous: TaskRow, enabled: boolean) {
    return saveEdit(req, previous, { enabled }, true);
  }

  async function remove(req: FastifyRequest, previous: TaskRow) {
    await tasks.delete(previous.id);
    engine.taskDeleted(previous.id);
    await audit(req, "task.delete", previous.id, { before: view(previous) });
  }

  async function runNow(req: FastifyRequest, task: TaskRow) {
    const runId = await engine.runNow(task);
    await audit(req, "task.run", task.id, { after: { runId } });
    return runId;
  }

  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "listTasks",
        summary: "List tasks, newest first (or sorted by name, next run, last result)",
        querystring: TaskListQuery,
        response: { 200: ref(TaskPage), ...errors(400) },
      },
    },
    async (req) => tasks.list(req.query as TaskListQuery, engine.nextRunAt),
  );

  app.post(
    "/",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "createTask",
        summary: "Create a task",
        body: TaskInput,
        response: { 201: ref(Task), ...errors(400, 409) },
      },
    },
    async (req, reply) => {
      const row = await tasks.create(normalizeTask(modules, req.body as TaskInput, config.timezone));
      engine.taskSaved(row);
      const task = view(row);
      await audit(req, "task.create", row.id, { after: task });
      const warnings = engine.warningsFor(row);
      return reply.code(201).send(warnings.length > 0 ? { ...task, warnings } : task);
    },
  );

  app.get(
    "/:id",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "getTask",
        summary: "Get a task",
        params: IdParams,
        response: { 200: ref(Task), ...errors(400, 404) },
      },
    },
    async (req) => view(await tasks.get(req.params.id)),
  );

  app.put(
    "/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "replaceTask",
        summary: "Replace a task's editable fields (omitted optional fields take their defaults)",
        params: IdParams,
        body: TaskInput,
        response: { 200: ref(Task), ...errors(400, 404, 409) },
      },
    },
    async (req) => {
      const previous = await tasks.get(req.params.id);
      return saveEdit(req, previous, normalizeTask(modules, req.body as TaskInput, config.timezone, previous), false);
    },
  );

  app.patch(
    "/:id",
    {
      config: { access: "operator" },
      schema: {
        tags,
        operationId: "updateTask",
        summary: 'Change some fields of a task, e.g. {"enabled": false}',
        params: IdParams,
        body: TaskPatch,
        response: { 200: ref(Task), ...errors(400, 404, 409) },
      },
    },
    async (req) => {
      const body = req.body as TaskPatch;
      const onlyToggles = Object.keys(body).every((key) => key === "enabled");
      if (!onlyToggles && !roleAtLeast(callerOf(req).role, "admin")) {
        throw new ApiError(
          403,
          "FORBIDDEN",
          "operators may only enable or disable tasks; other changes need the admin role",
        );
      }
      const previous = await tasks.get(req.params.id);
      // Enabling or disabling does not re-judge the rest, so a task stored before a newer input rule
      // can still be stopped; any other change checks the whole merged task.
      if (onlyToggles && body.enabled !== undefined) return setEnabled(req, previous, body.enabled);
      const change = normalizeTask(modules, { ...rowToInput(modules, previous), ...body }, config.timezone, previous);
      return saveEdit(req, previous, change, false);
    },
  );

  app.delete(
    "/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "deleteTask",
        summary: "Delete a task and its runs",
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      await remove(req, await tasks.get(req.params.id));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/:id/run",
    {
      config: { access: "operator" },
      schema: {
        tags,
        operationId: "runTask",
        summary: "Run a task now (also when it is disabled)",
        params: IdParams,
        response: { 202: RunStarted, ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      const runId = await runNow(req, await tasks.get(req.params.id));
      return reply.code(202).send({ runId });
    },
  );

  app.post(
    "/:id/copy",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "copyTask",
        summary: 'Copy a task as "<name> (copy)", created disabled; secrets are copied but never returned',
        params: IdParams,
        response: { 201: ref(Task), ...errors(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const source = await tasks.get(req.params.id);
      const row = await tasks.copy(source);
      engine.taskSaved(row);
      const task = view(row);
      await audit(req, "task.create", row.id, { after: { ...task, copiedFromTaskId: source.id } });
      return reply.code(201).send(task);
    },
  );

  app.post(
    "/bulk",
    {
      // Operators may enable, disable and run; delete needs admin, as the single routes do.
      config: { access: "operator" },
      schema: {
        tags,
        operationId: "bulkTaskAction",
        summary: "Enable, disable, run or delete several tasks; each id gets its own result",
        body: BulkInput,
        response: { 200: BulkResult, ...errors(400) },
      },
    },
    async (req) => {
      const { action } = req.body;
      if (action === "delete" && !roleAtLeast(callerOf(req).role, "admin")) {
        throw new ApiError(403, "FORBIDDEN", "deleting tasks needs the admin role");
      }
      const ids = [...new Set(req.body.ids)];
      const results: BulkItemResult[] = [];
      // One at a time, in the order given: each change is a normal single change, audited alone.
      for (const id of ids) {
        try {
          const task = await tasks.get(id);
          if (action === "run") results.push({ id, ok: true, runId: await runNow(req, task) });
          else if (action === "delete") {
            await remove(req, task);
            results.push({ id, ok: true });
          } else {
            const enabled = action === "enable";
            // Already so: nothing changes, so nothing is written or audited.
            if (task.enabled !== enabled) await setEnabled(req, task, enabled);
            results.push({ id, ok: true });
          }
        } catch (err) {
          if (!(err instanceof ApiError)) req.log.error({ err, id, action }, "bulk task action failed");
          results.push(
            err instanceof ApiError
              ? { id, ok: false, code: err.code, error: err.message }
              : { id, ok: false, code: "INTERNAL", error: "internal error; see the server log" },
          );
        }
      }
      return { action, results };
    },
  );

  app.get(
    "/:id/runs",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "listTaskRuns",
        summary: "A task's runs (every attempt), newest first",
        params: IdParams,
        querystring: TaskRunsQuery,
        response: { 200: ref(RunPage), ...errors(400, 404) },
      },
    },
    async (req) => {
      await tasks.get(req.params.id);
      return runs.list({ ...req.query, taskId: req.params.id });
    },
  );
};

export default tasksRoutes;

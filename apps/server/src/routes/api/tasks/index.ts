import { type Fail, type FieldError, normalizeTags, tagKey } from "@crondeck/core";
import type { TaskRow } from "@crondeck/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { type TSchema, Type } from "typebox";
import { roleAtLeast } from "../../../auth/roles.ts";
import { ApiError, validationError } from "../../../lib/errors.ts";
import { errors, IdParams, ref } from "../../../lib/schemas.ts";
import { callerOf } from "../../../plugins/app/auth.ts";
import { dependencyGraph } from "../../../tasks/dependencies.ts";
import { normalizeTask, rowToInput, type TaskWrite } from "../../../tasks/normalize.ts";
import { toApiTask } from "../../../tasks/repository.ts";
import { normalizeRunParameters, runInputSchema } from "../../../tasks/run-parameters.ts";
import { actorOf, type VersionAction } from "../../../tasks/versions.ts";
import { RunPage, RunStarted, TaskRunsQuery } from "../runs/schema.ts";
import {
  BulkInput,
  type BulkItemResult,
  BulkResult,
  TaskDependencies,
  type TaskInput,
  type TaskListQuery,
  type TaskPatch,
  taskSchemas,
} from "./schema.ts";

const tags = ["tasks"];

const tasksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tasks, runs, engine, config, modules, database } = app;
  const { Task, TaskInput, TaskPage, TaskPatch, TaskListQuery } = taskSchemas(modules);
  const RunInput = runInputSchema(modules, TaskInput.properties.env as TSchema);
  const view = (row: TaskRow) => toApiTask(modules, row, engine.nextRunAt);
  const audit = (req: FastifyRequest, action: string, taskId: number, change: { before?: unknown; after?: unknown }) =>
    app.audit.record(req, { action, targetType: "task", targetId: taskId, taskId, ...change });

  /** PUT and PATCH: store the checked change (and its version), re-arm the task, audit the change. */
  async function saveEdit(
    req: FastifyRequest,
    previous: TaskRow,
    change: Partial<TaskWrite>,
    onlyToggles: boolean,
    versionAction: VersionAction = "update",
  ) {
    const row = await tasks.update(previous, change, { action: versionAction, actor: actorOf(req) });
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
  async function setEnabled(req: FastifyRequest, previous: TaskRow, enabled: boolean, versionAction?: VersionAction) {
    return saveEdit(req, previous, { enabled }, true, versionAction);
  }

  async function remove(req: FastifyRequest, previous: TaskRow) {
    await tasks.delete(previous.id);
    engine.taskDeleted(previous.id);
    await audit(req, "task.delete", previous.id, { before: view(previous) });
  }

  /** `body`: a run's parameters (POST /:id/run); checked against the task before anything is recorded. */
  async function runNow(req: FastifyRequest, task: TaskRow, body?: Record<string, unknown>) {
    const { stored, names } = normalizeRunParameters(modules, task, body);
    const runId = await engine.runNow(task, stored);
    // The names given, never their values: a value may be a secret.
    await audit(req, "task.run", task.id, { after: names.length > 0 ? { runId, parameters: names } : { runId } });
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
      const row = await tasks.create(normalizeTask(modules, req.body as TaskInput, config.timezone), {
        action: "create",
        actor: actorOf(req),
      });
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

  app.get(
    "/:id/dependencies",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "getTaskDependencies",
        summary: "A task's upstream tasks and the tasks that depend on it",
        params: IdParams,
        response: { 200: TaskDependencies, ...errors(400, 404) },
      },
    },
    async (req) => dependencyGraph(database.db, req.params.id),
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
        summary: "Run a task now (also when it is disabled), optionally with parameters of this run only",
        params: IdParams,
        body: RunInput,
        "x-optional-body": true,
        response: { 202: RunStarted, ...errors(400, 404) },
      },
      // No body at all is a run without parameters, as before the body existed.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const runId = await runNow(req, await tasks.get(req.params.id), req.body as Record<string, unknown>);
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
      const row = await tasks.copy(source, { action: "create", actor: actorOf(req) });
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
        summary: "Enable, disable, run, delete, tag or untag several tasks; each id gets its own result",
        body: BulkInput,
        response: { 200: BulkResult, ...errors(400) },
      },
    },
    async (req) => {
      const { action } = req.body;
      const tagging = action === "addTag" || action === "removeTag";
      if (action === "delete" && !roleAtLeast(callerOf(req).role, "admin")) {
        throw new ApiError(403, "FORBIDDEN", "deleting tasks needs the admin role");
      }
      if (tagging && !roleAtLeast(callerOf(req).role, "admin")) {
        throw new ApiError(403, "FORBIDDEN", "tagging tasks is an edit: it needs the admin role");
      }
      // The tag is checked once, before any task changes: a bad one changes nothing.
      let tag = "";
      if (tagging) {
        const problems: FieldError[] = [];
        const fail: Fail = (field, message, code, params) =>
          problems.push({
            field: field.replace(/\[0\]$/, ""),
            message,
            ...(code ? { code } : {}),
            ...(params ? { params } : {}),
          });
        if (req.body.tag === undefined)
          fail("tag", `is required when action is ${action}`, "REQUIRED_WHEN", { field: "action", value: action });
        else tag = normalizeTags([req.body.tag], fail, "tag")[0] ?? "";
        if (problems.length > 0) throw validationError(problems);
      } else if (req.body.tag !== undefined) {
        throw validationError([
          {
            field: "tag",
            message: "is allowed only when action is addTag or removeTag",
            code: "ALLOWED_ONLY_WHEN",
            params: { field: "action", value: "addTag" },
          },
        ]);
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
          } else if (tagging) {
            const before = JSON.parse(task.tags) as string[];
            const key = tagKey(tag);
            const has = before.some((t) => tagKey(t) === key);
            const after =
              action === "addTag" ? (has ? before : [...before, tag]) : before.filter((t) => tagKey(t) !== key);
            // Already so: nothing changes, so nothing is written or audited. Otherwise an edit of the
            // tags alone, checked (at most 20) and audited as a PATCH of them would be.
            if (after.length !== before.length) {
              const problems: FieldError[] = [];
              normalizeTags(after, (field, message, code, params) =>
                problems.push({ field, message, ...(code ? { code } : {}), ...(params ? { params } : {}) }),
              );
              if (problems.length > 0) throw validationError(problems);
              await saveEdit(req, task, { tags: JSON.stringify(after) }, false);
            }
            results.push({ id, ok: true });
          } else {
            const enabled = action === "enable";
            // Already so: nothing changes, so nothing is written or audited.
            if (task.enabled !== enabled) await setEnabled(req, task, enabled, "bulk");
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

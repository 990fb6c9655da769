import type { TaskRow } from "@crondeck/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { roleAtLeast } from "../../../auth/roles.ts";
import { ApiError } from "../../../lib/errors.ts";
import { errors, IdParams } from "../../../lib/schemas.ts";
import { callerOf } from "../../../plugins/app/auth.ts";
import { normalizeTask, rowToInput, type TaskWrite } from "../../../tasks/normalize.ts";
import { toApiTask } from "../../../tasks/repository.ts";
import { RunPage, RunStarted, TaskRunsQuery } from "../runs/schema.ts";
import { Task, TaskInput, TaskListQuery, TaskPage, TaskPatch } from "./schema.ts";

const tags = ["tasks"];

const tasksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tasks, runs, engine, config } = app;
  const view = (row: TaskRow) => toApiTask(row, engine.nextRunAt);
  const audit = (req: FastifyRequest, action: string, taskId: number, change: { before?: unknown; after?: unknown }) =>
    app.audit.record(req, { action, targetType: "task", targetId: taskId, taskId, ...change });

  /** PUT and PATCH: store the checked change, re-arm the task, audit the change. */
  async function saveEdit(req: FastifyRequest, previous: TaskRow, change: Partial<TaskWrite>, onlyToggles: boolean) {
    const row = await tasks.update(previous.id, change);
    engine.taskSaved(row);
    const task = view(row);
    const toggled = onlyToggles && previous.enabled !== row.enabled;
    const action = toggled ? (row.enabled ? "task.enable" : "task.disable") : "task.update";
    await audit(req, action, row.id, { before: view(previous), after: task });
    return task;
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
        response: { 200: TaskPage, ...errors(400) },
      },
    },
    async (req) => tasks.list(req.query, engine.nextRunAt),
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
        response: { 201: Task, ...errors(400, 409) },
      },
    },
    async (req, reply) => {
      const row = await tasks.create(normalizeTask(req.body, config.timezone));
      engine.taskSaved(row);
      const task = view(row);
      await audit(req, "task.create", row.id, { after: task });
      return reply.code(201).send(task);
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
        response: { 200: Task, ...errors(400, 404) },
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
        response: { 200: Task, ...errors(400, 404, 409) },
      },
    },
    async (req) => {
      const previous = await tasks.get(req.params.id);
      return saveEdit(req, previous, normalizeTask(req.body, config.timezone, previous), false);
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
        response: { 200: Task, ...errors(400, 404, 409) },
      },
    },
    async (req) => {
      const onlyToggles = Object.keys(req.body).every((key) => key === "enabled");
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
      const change =
        onlyToggles && req.body.enabled !== undefined
          ? { enabled: req.body.enabled }
          : normalizeTask({ ...rowToInput(previous), ...req.body }, config.timezone, previous);
      return saveEdit(req, previous, change, onlyToggles);
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
      const previous = await tasks.get(req.params.id);
      await tasks.delete(previous.id);
      engine.taskDeleted(previous.id);
      await audit(req, "task.delete", previous.id, { before: view(previous) });
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
      const task = await tasks.get(req.params.id);
      const runId = await engine.runNow(task);
      await audit(req, "task.run", task.id, { after: { runId } });
      return reply.code(202).send({ runId });
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
        response: { 200: RunPage, ...errors(400, 404) },
      },
    },
    async (req) => {
      await tasks.get(req.params.id);
      return runs.list({ ...req.query, taskId: req.params.id });
    },
  );
};

export default tasksRoutes;

import type { Fail, FieldError } from "@crondeck/core";
import { sendTestNotification } from "@crondeck/notify";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { notifyConfig } from "../../../config.ts";
import { validationError } from "../../../lib/errors.ts";
import { errors } from "../../../lib/schemas.ts";
import { type TestNotificationBody, testNotificationSchemas } from "./schema.ts";

const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tasks, config, modules } = app;
  const { TestNotificationBody, TestNotificationResult } = testNotificationSchemas(modules);

  app.post(
    "/test",
    {
      config: { access: "admin" },
      schema: {
        tags: ["notifications"],
        operationId: "testNotification",
        summary: "Send a sample message through the given channel settings",
        description:
          "Checks the settings like a task's notify fields (400 naming the field), then sends one sample message, once, without retries. A delivery failure still answers 200: `ok` is false and `error` says why.",
        body: TestNotificationBody,
        response: { 200: TestNotificationResult, ...errors(400, 404) },
      },
    },
    async (req) => {
      const body = req.body as TestNotificationBody;
      const task = body.taskId === undefined ? null : await tasks.get(body.taskId);
      const problems: FieldError[] = [];
      const fail: Fail = (field, message, code, params) =>
        problems.push({ field, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
      // The edit form holds the task's secrets masked or not at all; the stored ones are what a test must use.
      const target = modules.testTarget(body, task, fail);
      if (problems.length > 0) throw validationError(problems);
      const sample = task ? { taskId: task.id, taskName: task.name, mode: task.mode } : {};
      const result = await sendTestNotification(target, notifyConfig(config), sample, modules.channels);
      return {
        ok: result.ok,
        error: result.error,
        channel: result.channel,
        target: result.target,
        attempts: result.attempts,
      };
    },
  );
};

export default notificationsRoutes;

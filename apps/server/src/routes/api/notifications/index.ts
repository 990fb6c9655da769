import { parseList } from "@crondeck/core";
import type { TaskRow } from "@crondeck/db";
import { type NotificationTarget, sendTestNotification } from "@crondeck/notify";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { notifyConfig } from "../../../config.ts";
import { type FieldError, validationError } from "../../../lib/errors.ts";
import { errors } from "../../../lib/schemas.ts";
import { restoreWebhookUrl } from "../../../tasks/credentials.ts";
import { notifyDestinationErrors } from "../../../tasks/normalize.ts";
import { TestNotificationBody, TestNotificationResult } from "./schema.ts";

/**
 * The secret to sign with: the one given, else the stored task's. A stored secret only goes to the
 * task's own webhook URL: signing a message for another URL would hand a valid signature to whoever
 * runs that URL.
 */
function signingSecret(body: TestNotificationBody, webhookUrl: string | null, task: TaskRow | null): string | null {
  if (body.notifyWebhookSecret !== undefined) return body.notifyWebhookSecret || null;
  if (!task?.notifyWebhookSecret) return null;
  if (webhookUrl !== task.notifyWebhookUrl) {
    throw validationError([
      {
        field: "notifyWebhookSecret",
        message: "is needed: the stored secret of the task is only used with the task's own webhook URL",
        code: "SECRET_NEEDED",
      },
    ]);
  }
  return task.notifyWebhookSecret;
}

const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tasks, config } = app;

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
      const body = req.body;
      const emails = parseList(body.notifyEmails);
      const task = body.taskId === undefined ? null : await tasks.get(body.taskId);
      const problems: FieldError[] = [];
      // The edit form holds the task's URL masked; the stored one is what a test must reach.
      const webhookUrl = restoreWebhookUrl(
        body.notifyWebhookUrl?.trim() || null,
        task?.notifyWebhookUrl,
        (field, message, code) => problems.push({ field, message, ...(code ? { code } : {}) }),
      );
      problems.push(...notifyDestinationErrors({ channel: body.notifyChannel, emails, webhookUrl }));
      if (problems.length > 0) throw validationError(problems);

      const target: NotificationTarget = {
        policy: "ON_END",
        channel: body.notifyChannel,
        emails: body.notifyChannel === "EMAIL" ? emails : [],
        webhookUrl: body.notifyChannel === "WEBHOOK" ? webhookUrl : null,
        webhookFormat: body.notifyWebhookFormat ?? null,
        webhookSecret: body.notifyChannel === "WEBHOOK" ? signingSecret(body, webhookUrl, task) : null,
        keywords: [],
      };
      const sample = task ? { taskId: task.id, taskName: task.name, mode: task.mode as "SHELL" | "HTTP" } : {};
      const result = await sendTestNotification(target, notifyConfig(config), sample);
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

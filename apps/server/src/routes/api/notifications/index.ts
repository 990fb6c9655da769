import { type Fail, type FieldError, isValidTimezone, type NotifyPolicy, parseList } from "@crondeck/core";
import { isNotifyLanguage, messagesFor, sendTestNotification, testRunSummary } from "@crondeck/notify";
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
        summary: "Send a test message about the task being edited through the given channel settings",
        description:
          "Checks the settings like a task's notify fields (400 naming the field), then sends one message, once, without retries: a real message about the task as given (name, zone, language, retries, keywords; the stored task's where left out), with a sample outcome its policy notifies about, marked as a test. A delivery failure still answers 200: `ok` is false and `error` says why.",
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
      const timezone = body.timezone?.trim() || task?.timezone || config.timezone;
      if (!isValidTimezone(timezone))
        fail("timezone", `is not a known IANA time zone: ${timezone}`, "UNKNOWN_ZONE", { value: timezone });
      if (problems.length > 0) throw validationError(problems);
      // The message describes the task as the form holds it; what the form left out, as stored.
      const language =
        body.notifyLanguage !== undefined
          ? body.notifyLanguage
          : isNotifyLanguage(task?.notifyLanguage)
            ? task.notifyLanguage
            : null;
      const settings = notifyConfig(config);
      const sample = testRunSummary({
        id: task?.id ?? 0,
        name: body.name?.trim() || task?.name || messagesFor(language ?? settings.defaultLanguage).sample.taskName,
        mode: body.mode || task?.mode || modules.modes.names[0] || "",
        timezone,
        retryCount: body.retryCount ?? task?.retryCount ?? 0,
        language: language ?? settings.defaultLanguage ?? null,
        notifyPolicy: body.notifyPolicy ?? (task?.notifyPolicy as NotifyPolicy | undefined) ?? null,
        notifyKeywords:
          body.notifyKeywords !== undefined
            ? parseList(body.notifyKeywords)
            : task
              ? (JSON.parse(task.notifyKeywords) as string[])
              : [],
      });
      const result = await sendTestNotification(target, settings, sample, modules.channels);
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

import { NOTIFY_POLICIES } from "@crondeck/core";
import { NOTIFY_LANGUAGES } from "@crondeck/notify";
import { type Static, Type } from "typebox";
import { Nullable, StringEnum } from "../../../lib/schemas.ts";
import type { TaskModules } from "../../../tasks/modules.ts";

// The notify fields of a task, as the task form holds them, so the form can send what it has: the
// channel and the fields every channel module owns (src/tasks/modules.ts composes them), and what
// the message describes: the task's name, mode, zone, language, retries, policy and keywords (each
// taken from the stored task `taskId` when left out).

const TestNotificationBase = Type.Object({
  notifyChannel: Type.String(),
  taskId: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 2_147_483_647,
      description:
        "a stored task: what the message describes when the fields below are left out, and its write-only secrets (a signing secret) are used when none is given, with its own target only",
    }),
  ),
  name: Type.Optional(Type.String({ maxLength: 200, description: "the task's name as the form holds it" })),
  mode: Type.Optional(Type.String({ maxLength: 16 })),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: "IANA zone the message's times are shown in" })),
  notifyLanguage: Type.Optional(
    Nullable(StringEnum(NOTIFY_LANGUAGES, { description: "null or omitted: the server's default" })),
  ),
  retryCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: "for “attempt 3 of 3”" })),
  notifyPolicy: Type.Optional(
    StringEnum(NOTIFY_POLICIES, {
      description: "which sample outcome: a failure for ON_FAILURE, a keyword match for ON_KEYWORD, else a success",
    }),
  ),
  notifyKeywords: Type.Optional(
    Type.Union([Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 }), Type.String({ maxLength: 32_768 })]),
  ),
});
export type TestNotificationBody = Static<typeof TestNotificationBase> & { [field: string]: unknown };

export function testNotificationSchemas(modules: TaskModules) {
  const channel = StringEnum(modules.channels.names);
  const TestNotificationBody = Type.Object(
    { ...TestNotificationBase.properties, notifyChannel: channel, ...modules.inputFields(modules.channels.all()) },
    { additionalProperties: false },
  );
  const TestNotificationResult = Type.Object({
    ok: Type.Boolean({ description: "whether the message was accepted (SMTP server or webhook 2xx)" }),
    error: Nullable(Type.String({ description: "why it failed, or a note such as rejected recipients" })),
    channel,
    target: Type.String({ description: "the addresses, or the webhook URL with its tokens masked" }),
    attempts: Type.Integer({ description: "a test tries once; 0 when nothing could be attempted" }),
  });
  return { TestNotificationBody, TestNotificationResult };
}

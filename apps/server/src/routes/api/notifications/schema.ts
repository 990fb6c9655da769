import { type Static, Type } from "typebox";
import { Nullable, StringEnum } from "../../../lib/schemas.ts";
import type { TaskModules } from "../../../tasks/modules.ts";

// The notify fields of a task, as the task form holds them, so the form can send what it has: the
// channel and the fields every channel module owns (src/tasks/modules.ts composes them).

const TestNotificationBase = Type.Object({
  notifyChannel: Type.String(),
  taskId: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 2_147_483_647,
      description:
        "a stored task: its name goes into the sample, and its write-only secrets (a signing secret) are used when none is given, with its own target only",
    }),
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

import { NOTIFY_CHANNELS, WEBHOOK_FORMATS } from "@crondeck/core";
import { type Static, Type } from "typebox";
import { Nullable, StringEnum } from "../../../lib/schemas.ts";
import { ListInput } from "../tasks/schema.ts";

// The notify fields of a task, as the task form holds them, so the form can send what it has.

export const TestNotificationBody = Type.Object(
  {
    notifyChannel: StringEnum(NOTIFY_CHANNELS),
    notifyEmails: Type.Optional(ListInput("addresses, as an array or one string split on `,` or `，`")),
    notifyWebhookUrl: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    notifyWebhookFormat: Type.Optional(
      Nullable(StringEnum(WEBHOOK_FORMATS, { description: "default: detected from the URL, else JSON" })),
    ),
    notifyWebhookSecret: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 255,
          description: "omit to use the stored secret of `taskId` (same webhook URL only); null or empty: none",
        }),
      ),
    ),
    taskId: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: "a stored task: its name goes into the sample, and its secret is used when none is given",
      }),
    ),
  },
  { additionalProperties: false },
);
export type TestNotificationBody = Static<typeof TestNotificationBody>;

export const TestNotificationResult = Type.Object({
  ok: Type.Boolean({ description: "whether the message was accepted (SMTP server or webhook 2xx)" }),
  error: Nullable(Type.String({ description: "why it failed, or a note such as rejected recipients" })),
  channel: StringEnum(NOTIFY_CHANNELS),
  target: Type.String({ description: "the addresses, or the webhook URL with its tokens masked" }),
  attempts: Type.Integer({ description: "a test tries once; 0 when nothing could be attempted" }),
});

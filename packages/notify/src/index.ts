// @crondeck/notify: turns a finished run into a message through a channel module (channels/:
// EMAIL, WEBHOOK). No database access: the engine calls shouldNotify, then deliver, and stores
// the DeliveryResult.

export { type ChannelRegistry, channelRegistry, defineChannel, type NotifyChannelModule } from "./channel.ts";
export { BUILT_IN_CHANNELS, builtInChannels, emailChannel, webhookChannel } from "./channels/index.ts";
export { deliver, sendTestNotification } from "./deliver.ts";
export { detectWebhookFormat } from "./detect.ts";
export { buildEmail, type EmailContent } from "./email.ts";
export { maskSecrets } from "./mask.ts";
export {
  DEFAULT_NOTIFY_LANGUAGE,
  isNotifyLanguage,
  messagesFor,
  NOTIFY_LANGUAGES,
  type NotifyLanguage,
} from "./messages.ts";
export { buildWebhookPayload, type WebhookPayloadOptions, type WebhookRequest } from "./payloads.ts";
export { shouldNotify } from "./policy.ts";
export { DeliveryError } from "./retry.ts";
export { dingtalkSign, feishuSign, jsonBodySignature } from "./signing.ts";
export { closeTransports, DEFAULT_SMTP_FROM } from "./smtp.ts";
export { type SummaryTask, sampleRunSummary, type TestTask, testRunSummary, toRunSummary } from "./summary.ts";
export { errorText, formatTime } from "./text.ts";
export type { DeliveryResult, NotificationTarget, NotifyConfig, RunSummary } from "./types.ts";

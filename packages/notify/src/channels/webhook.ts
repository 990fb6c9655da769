import { CREDENTIALS_IN_URL, httpUrlProblem, SECRET_MASK } from "@crondeck/core";
import { Type } from "typebox";
import { defineChannel } from "../channel.ts";
import { detectWebhookFormat, WEBHOOK_FORMATS, type WebhookFormat } from "../detect.ts";
import { maskSecrets, secretsInUrl } from "../mask.ts";
import { buildWebhookPayload } from "../payloads.ts";
import { assertWebhookUrl, DEFAULT_WEBHOOK_TIMEOUT_MS, postWebhook } from "../webhook.ts";

// WEBHOOK: a POST to a URL in a robot's native format (DingTalk, WeCom, Feishu, Slack) or plain
// JSON. Robot tokens inside the URL are masked for readers; the signing secret is write-only.

type WebhookSettings = {
  notifyWebhookUrl: string | null;
  notifyWebhookFormat: WebhookFormat | null;
  notifyWebhookSecret: string | null;
};

export const webhookChannel = defineChannel<WebhookSettings>({
  name: "WEBHOOK",
  label: { en: "Webhook", zh: "Webhook" },
  fields: {
    notifyWebhookUrl: Type.Union([
      Type.String({
        maxLength: 2048,
        description: "returned with its robot tokens masked (***); sending that masked URL back keeps the stored one",
      }),
      Type.Null(),
    ]),
    notifyWebhookFormat: Type.Union([
      Type.Unsafe<WebhookFormat>({
        type: "string",
        enum: [...WEBHOOK_FORMATS],
        description: "default: detected from the URL, else JSON",
      }),
      Type.Null(),
    ]),
    notifyWebhookSecret: Type.Union([
      Type.String({
        maxLength: 255,
        description: "write-only; omit to keep the stored secret, null or empty to clear it",
      }),
      Type.Null(),
    ]),
  },
  empty: { notifyWebhookUrl: null, notifyWebhookFormat: null, notifyWebhookSecret: null },
  secrets: {
    notifyWebhookUrl: {
      kind: "masked",
      mask: (url) => (typeof url === "string" ? maskSecrets(url) : url),
      // A URL that carries the mask but is otherwise changed cannot be completed: refused rather
      // than stored with *** in it.
      restore(given, stored, fail) {
        const url = typeof given === "string" ? given.trim() || null : null;
        if (url === null || !url.includes(SECRET_MASK)) return url;
        if (typeof stored === "string" && maskSecrets(stored) === url) return stored;
        fail("notifyWebhookUrl", `contains a masked token (${SECRET_MASK}); enter the full URL`, "MASKED_URL");
        return url;
      },
      reveal: (url) => secretsInUrl(typeof url === "string" ? url : null),
    },
    notifyWebhookSecret: {
      kind: "writeOnly",
      boundTo: {
        field: "notifyWebhookUrl",
        message: "is needed: the stored secret of the task is only used with the task's own webhook URL",
      },
    },
  },
  normalize(given, { fail, required }) {
    const url = given.notifyWebhookUrl?.trim() || null;
    const problem = url === null ? null : httpUrlProblem(url, "must be an absolute http(s) URL", CREDENTIALS_IN_URL);
    if (problem !== null) fail("notifyWebhookUrl", problem.message, problem.code);
    if (required && url === null)
      fail("notifyWebhookUrl", "is required when notifyChannel is WEBHOOK", "REQUIRED_WHEN", {
        field: "notifyChannel",
        value: "WEBHOOK",
      });
    const format = given.notifyWebhookFormat ?? (url !== null && problem === null ? detectWebhookFormat(url) : null);
    return {
      notifyWebhookUrl: url,
      notifyWebhookFormat: format,
      notifyWebhookSecret: given.notifyWebhookSecret || null,
    };
  },
  describeTarget: (settings) => maskSecrets(settings.notifyWebhookUrl ?? ""),
  async send(settings, run, config) {
    assertWebhookUrl(settings.notifyWebhookUrl);
    const format = settings.notifyWebhookFormat ?? detectWebhookFormat(settings.notifyWebhookUrl);
    // Built per attempt so a signature's timestamp is fresh on every try.
    const request = buildWebhookPayload(format, run, {
      url: settings.notifyWebhookUrl,
      secret: settings.notifyWebhookSecret,
      publicUrl: config.publicUrl,
    });
    await postWebhook(request, format, config.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS);
    return null;
  },
  form: [
    {
      name: "notifyWebhookUrl",
      required: true,
      kind: "text",
      label: { en: "Webhook URL", zh: "Webhook 地址" },
      hint: {
        en: "Robot tokens in a saved URL show as ***: leave them to keep the saved URL, or paste the full URL to change it.",
        zh: "已保存地址中的机器人令牌显示为 ***：保持不变即沿用已保存的地址，修改时请粘贴完整地址。",
      },
      placeholder: "https://oapi.dingtalk.com/robot/send?access_token=…",
    },
    {
      name: "notifyWebhookFormat",
      kind: "select",
      label: { en: "Message format", zh: "消息格式" },
      options: [
        { value: "", label: { en: "Detect from the URL", zh: "根据 URL 自动识别" } },
        { value: "JSON", label: { en: "JSON", zh: "JSON" } },
        { value: "DINGTALK", label: { en: "DingTalk", zh: "钉钉" } },
        { value: "WECOM", label: { en: "WeCom", zh: "企业微信" } },
        { value: "FEISHU", label: { en: "Feishu", zh: "飞书" } },
        { value: "SLACK", label: { en: "Slack", zh: "Slack" } },
      ],
    },
    {
      name: "notifyWebhookSecret",
      kind: "secret",
      label: { en: "Signing secret", zh: "签名密钥" },
      hint: {
        en: "For DingTalk or Feishu robots with signing enabled. Never shown again.",
        zh: "用于开启了加签的钉钉或飞书机器人。保存后不再显示。",
      },
    },
  ],
});

/** The message formats a webhook can speak: robots' native ones, or plain JSON. */
export const WEBHOOK_FORMATS = ["JSON", "DINGTALK", "WECOM", "FEISHU", "SLACK"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const HOST_FORMATS: ReadonlyArray<[host: string, format: WebhookFormat]> = [
  ["oapi.dingtalk.com", "DINGTALK"],
  ["qyapi.weixin.qq.com", "WECOM"],
  ["open.feishu.cn", "FEISHU"],
  ["open.larksuite.com", "FEISHU"],
  ["hooks.slack.com", "SLACK"],
];

/** The robot a webhook URL belongs to, from its host; anything else (or an unparsable URL) is plain JSON. */
export function detectWebhookFormat(url: string): WebhookFormat {
  let host: string;
  try {
    host = new URL(url.trim()).hostname.toLowerCase();
  } catch {
    return "JSON";
  }
  return HOST_FORMATS.find(([known]) => host === known)?.[1] ?? "JSON";
}

import { request } from "undici";
import type { WebhookFormat } from "./detect.ts";
import type { WebhookRequest } from "./payloads.ts";
import { DeliveryError, errorMessage } from "./retry.ts";
import { oneLine } from "./text.ts";

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
// Robots answer with a few bytes of JSON; a receiver that streams more is not worth reading.
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = "Crondeck-Notify/1";

/** Rejects anything but an absolute http(s) URL before a request is attempted. */
export function assertWebhookUrl(url: string | null | undefined): asserts url is string {
  let parsed: URL;
  try {
    parsed = new URL(url ?? "");
  } catch {
    throw new DeliveryError("webhook URL is missing or not a valid absolute URL", false);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new DeliveryError("webhook URL must use http or https", false);
  }
}

/**
 * POSTs the payload as JSON and checks the answer, throwing a DeliveryError on failure. Robots answer
 * HTTP 200 even when they refuse a message, so their JSON error codes are checked too.
 * Error messages may still quote the response; the caller redacts them.
 */
export async function postWebhook(req: WebhookRequest, format: WebhookFormat, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await request(req.url, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": USER_AGENT,
        ...req.headers,
      },
      body: JSON.stringify(req.body),
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = response.statusCode;
    text = await readCapped(response.body);
  } catch (error) {
    if (signal.aborted) throw new DeliveryError(`webhook timed out after ${timeoutMs} ms`, true);
    throw new DeliveryError(`webhook request failed: ${errorMessage(error)}`, true);
  }

  if (status < 200 || status >= 300) {
    const snippet = oneLine(text).slice(0, 200);
    // 408/429/5xx may pass on a later try; other 4xx (and 3xx, which are not followed) are configuration errors.
    const retryable = status === 408 || status === 429 || status >= 500;
    throw new DeliveryError(`HTTP ${status}${snippet ? `: ${snippet}` : ""}`, retryable);
  }
  const robotError = robotErrorIn(format, text);
  // Robot refusals are mostly configuration (signature, keyword, IP allow-list) but include rate
  // limits, which is why they are retried like any transient failure.
  if (robotError) throw new DeliveryError(robotError, true);
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_RESPONSE_BYTES) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString("utf8");
}

/**
 * The refusal a robot reported in a 2xx answer, or null. DingTalk and WeCom answer
 * `{"errcode":0,"errmsg":"ok"}`; Feishu/Lark `{"code":0,"msg":"success"}` (older bots
 * `{"StatusCode":0,"StatusMessage":"success"}`). Slack answers the plain text `ok`, and errors with 4xx.
 */
export function robotErrorIn(format: WebhookFormat, responseText: string): string | null {
  if (format !== "DINGTALK" && format !== "WECOM" && format !== "FEISHU") return null;
  let json: unknown;
  try {
    json = JSON.parse(responseText);
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null) return null;
  const fields = json as Record<string, unknown>;
  const describe = (code: unknown, message: unknown, name: string) =>
    `${format === "FEISHU" ? "Feishu" : format === "WECOM" ? "WeCom" : "DingTalk"} robot refused the message: ${name} ${String(code)}${message ? `: ${String(message)}` : ""}`;
  if (format === "FEISHU") {
    if (fields.code != null && fields.code !== 0) return describe(fields.code, fields.msg, "code");
    if (fields.StatusCode != null && fields.StatusCode !== 0) {
      return describe(fields.StatusCode, fields.StatusMessage, "StatusCode");
    }
    return null;
  }
  if (fields.errcode != null && fields.errcode !== 0) return describe(fields.errcode, fields.errmsg, "errcode");
  return null;
}

import { createHmac } from "node:crypto";

/**
 * DingTalk custom robot "加签": HMAC-SHA256 keyed with the secret over `${timestampMs}\n${secret}`,
 * base64. The caller URL-encodes it into `&timestamp=…&sign=…`; DingTalk rejects timestamps over an hour old.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

/**
 * Feishu/Lark custom bot "签名校验": the key is `${timestampSeconds}\n${secret}` and the message is EMPTY
 * (the reverse of DingTalk), base64. Sent as `timestamp` and `sign` in the JSON body.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("").digest("base64");
}

/**
 * Crondeck's own signature for the generic JSON format, in the style of Stripe/Slack request signing:
 * hex HMAC-SHA256 keyed with the secret over `${timestampSeconds}.${rawBody}`.
 */
export function jsonBodySignature(secret: string, timestampSeconds: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestampSeconds}.${rawBody}`).digest("hex");
}

import type { NotifyChannel } from "@crondeck/core";
import { detectWebhookFormat } from "./detect.ts";
import { maskSecrets, redact, secretsInUrl } from "./mask.ts";
import { buildWebhookPayload } from "./payloads.ts";
import { DEFAULT_RETRY, DeliveryError, errorMessage, type RetryPolicy, withRetry } from "./retry.ts";
import { sendRunEmail } from "./smtp.ts";
import { sampleRunSummary } from "./summary.ts";
import type { DeliveryResult, NotificationTarget, NotifyConfig, RunSummary } from "./types.ts";
import { assertWebhookUrl, DEFAULT_WEBHOOK_TIMEOUT_MS, postWebhook } from "./webhook.ts";

/** Trimmed, without blanks, each address once (case-insensitively), in the order given. */
function recipients(emails: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of emails) {
    const email = raw.trim();
    if (email && !seen.has(email.toLowerCase())) {
      seen.add(email.toLowerCase());
      out.push(email);
    }
  }
  return out;
}

// A target without a channel is a caller error; still report it against the channel its fields suggest.
function channelOf(target: NotificationTarget): NotifyChannel {
  return target.channel ?? (target.webhookUrl ? "WEBHOOK" : "EMAIL");
}

function describeTarget(channel: NotifyChannel, target: NotificationTarget): string {
  try {
    return channel === "EMAIL" ? recipients(target.emails).join(", ") : maskSecrets(target.webhookUrl ?? "");
  } catch {
    // Malformed input from the caller must not make deliver throw.
    return "";
  }
}

/**
 * Sends one notification for a finished run, retrying transient failures with exponential backoff.
 * Never throws; the result is what the engine stores. Error strings carry no SMTP password, webhook
 * secret or robot token. Whether to notify at all is the caller's call (see shouldNotify).
 */
export async function deliver(
  target: NotificationTarget,
  run: RunSummary,
  config: NotifyConfig,
): Promise<DeliveryResult> {
  const channel = channelOf(target);
  const secrets = [
    target.webhookSecret,
    ...secretsInUrl(target.webhookUrl),
    config.smtpPassword,
    ...secretsInUrl(config.smtpUrl),
  ];
  const result = (ok: boolean, error: string | null, attempts: number): DeliveryResult => ({
    channel,
    target: describeTarget(channel, target),
    ok,
    error: error == null ? null : redact(error, secrets),
    attempts,
    sentAt: new Date(),
  });

  try {
    if (!target.channel) return result(false, "no notification channel is set", 0);
    const policy: RetryPolicy = config.retry ?? DEFAULT_RETRY;
    const outcome = await withRetry<string | null>(policy, async () => {
      if (channel === "EMAIL") return sendRunEmail(recipients(target.emails), run, config);
      assertWebhookUrl(target.webhookUrl);
      const format = target.webhookFormat ?? detectWebhookFormat(target.webhookUrl);
      // Built per attempt so a signature's timestamp is fresh on every try.
      const request = buildWebhookPayload(format, run, {
        url: target.webhookUrl,
        secret: target.webhookSecret,
        publicUrl: config.publicUrl,
      });
      await postWebhook(request, format, config.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS);
      return null;
    });
    if (outcome.error !== undefined) {
      const message =
        outcome.error instanceof DeliveryError
          ? outcome.error.message
          : `unexpected error: ${errorMessage(outcome.error)}`;
      return result(false, message, outcome.attempts);
    }
    return result(true, outcome.value ?? null, outcome.attempts);
  } catch (error) {
    // withRetry never throws; this guards the glue around it against malformed input.
    return result(false, `unexpected error: ${errorMessage(error)}`, 0);
  }
}

/**
 * Sends a sample run through the given settings for POST /api/notifications/test. It tries once:
 * the person at the form is waiting and wants the real error now, not after the backoff.
 */
export function sendTestNotification(
  target: NotificationTarget,
  config: NotifyConfig,
  sample: Partial<RunSummary> = {},
): Promise<DeliveryResult> {
  return deliver(target, sampleRunSummary(sample), { ...config, retry: { attempts: 1, baseDelayMs: 0 } });
}

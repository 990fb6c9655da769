import { secretValues } from "@crondeck/core";
import type { ChannelRegistry } from "./channel.ts";
import { builtInChannels } from "./channels/index.ts";
import { redact, secretsInUrl } from "./mask.ts";
import { DEFAULT_RETRY, DeliveryError, errorMessage, type RetryPolicy, withRetry } from "./retry.ts";
import { sampleRunSummary } from "./summary.ts";
import type { DeliveryResult, NotificationTarget, NotifyConfig, RunSummary } from "./types.ts";

/**
 * Sends one notification for a finished run through the target's channel, retrying transient
 * failures with exponential backoff. Never throws; the result is what the engine stores. Error
 * strings carry none of the channel's secrets (as its module declares them) nor the SMTP password.
 * Whether to notify at all is the caller's call (see shouldNotify).
 */
export async function deliver(
  target: NotificationTarget,
  run: RunSummary,
  config: NotifyConfig,
  channels: ChannelRegistry = builtInChannels,
): Promise<DeliveryResult> {
  const channel = target.channel === null ? undefined : channels.get(target.channel);
  const settings = { ...channel?.empty, ...target.settings };
  const secrets = [
    ...(channel ? secretValues(channel, settings) : []),
    config.smtpPassword,
    ...secretsInUrl(config.smtpUrl),
  ];
  const describe = () => {
    try {
      return channel ? channel.describeTarget(settings) : "";
    } catch {
      // Malformed input from the caller must not make deliver throw.
      return "";
    }
  };
  const result = (ok: boolean, error: string | null, attempts: number): DeliveryResult => ({
    channel: target.channel ?? "",
    target: describe(),
    ok,
    error: error == null ? null : redact(error, secrets),
    attempts,
    sentAt: new Date(),
  });

  try {
    if (target.channel === null) return result(false, "no notification channel is set", 0);
    if (!channel) return result(false, `unknown notification channel ${target.channel}`, 0);
    const policy: RetryPolicy = config.retry ?? DEFAULT_RETRY;
    // A task that names no language is told in the server's default.
    const message = run.language ? run : { ...run, language: config.defaultLanguage ?? null };
    const outcome = await withRetry<string | null>(policy, () => channel.send(settings, message, config));
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
  channels: ChannelRegistry = builtInChannels,
): Promise<DeliveryResult> {
  return deliver(target, sampleRunSummary(sample), { ...config, retry: { attempts: 1, baseDelayMs: 0 } }, channels);
}

import type { NotifyPolicy, RunStatus, RunTrigger, Settings } from "@crondeck/core";
import type { NotifyLanguage } from "./messages.ts";

/** Process-wide settings, usually read from SMTP_URL, SMTP_FROM and PUBLIC_URL. */
export interface NotifyConfig {
  /** `smtp://user:pass@host:587` or `smtps://…:465`; query options such as `?tls.rejectUnauthorized=false` pass through to nodemailer. Wins over the smtpHost… fields. */
  smtpUrl?: string;
  smtpHost?: string;
  smtpPort?: number;
  smtpUser?: string;
  smtpPassword?: string;
  /** Implicit TLS (port 465 style); STARTTLS is still used when the server offers it. */
  smtpSecure?: boolean;
  /** Default `Crondeck <crondeck@localhost>`. */
  smtpFrom?: string;
  /** Connection, greeting and socket timeout for SMTP. Default 30 000 ms. */
  smtpTimeoutMs?: number;
  /** Dashboard base URL; the run link is `${publicUrl}/runs/${runId}`. No link without it. */
  publicUrl?: string;
  /** Whole-request timeout of one webhook attempt. Default 10 000 ms. */
  webhookTimeoutMs?: number;
  /** The language of messages about tasks that name none (NOTIFY_LANGUAGE). Default "en". */
  defaultLanguage?: NotifyLanguage;
  /** Total attempts and the base of the exponential backoff. Default 3 attempts, 1000 ms. */
  retry?: { attempts: number; baseDelayMs: number };
}

/** Where a task's notifications go: its channel and that channel's settings, secrets included. */
export interface NotificationTarget {
  policy: NotifyPolicy;
  /** A ChannelRegistry name; null when the task does not notify. */
  channel: string | null;
  /** The channel's settings as stored on the task (checked by the channel when saved). */
  settings: Settings;
  keywords: string[];
}

/** What a notification says about one finished run (the last attempt of a fire). */
export interface RunSummary {
  taskId: number;
  taskName: string;
  /** The task mode (SHELL, HTTP, …). */
  mode: string;
  trigger: RunTrigger;
  status: RunStatus;
  scheduledAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  exitCode: number | null;
  httpStatus: number | null;
  output: string;
  truncated: boolean;
  /** Why it did not succeed, in English, as the run records it. */
  error: string | null;
  /** The same as a code and its params (RUN_ERROR_CODES), for wording it in the message's language. */
  errorCode?: string | null;
  errorParams?: Record<string, string | number> | null;
  matchedKeywords: string[];
  runId: number;
  attempt: number;
  /** Attempts the fire may take (the task's retries + 1): "attempt 2 of 3". Unknown: the number alone. */
  maxAttempts?: number | null;
  /** The task's IANA zone: every time in the message is shown in it, zone named. Default UTC. */
  timezone?: string | null;
  /** The language of the message (the task's, else the server's default). Default "en". */
  language?: NotifyLanguage | null;
  /** Host or executor that ran it, shown when known. */
  executor?: string | null;
  /** A sample sent from the settings form: says so in the message and carries no run link. */
  test?: boolean;
}

export interface DeliveryResult {
  channel: string;
  /** Addresses joined with ", ", or the webhook URL with its tokens masked. */
  target: string;
  ok: boolean;
  /** Why it failed (secrets removed); on success, a note such as rejected recipients, else null. */
  error: string | null;
  attempts: number;
  /** When the last attempt ended. */
  sentAt: Date;
}

import nodemailer, { type SMTPTransportOptions, type Transporter } from "nodemailer";
import { buildEmail } from "./email.ts";
import { redact, secretsInUrl } from "./mask.ts";
import { DeliveryError, errorMessage } from "./retry.ts";
import type { NotifyConfig, RunSummary } from "./types.ts";

export const DEFAULT_SMTP_FROM = "Crondeck <crondeck@localhost>";
const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

interface SmtpSettings {
  options: SMTPTransportOptions;
  /** Values that must never appear in an error we return. */
  secrets: string[];
}

function smtpSettings(config: NotifyConfig): SmtpSettings {
  const timeout = config.smtpTimeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  const timeouts = { connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout };
  // Message content is ours, but nodemailer can read files or fetch URLs named in a message: never needed.
  const hardening = { disableFileAccess: true, disableUrlAccess: true };
  const secrets = [config.smtpPassword ?? null, ...secretsInUrl(config.smtpUrl)].filter((s): s is string => !!s);
  if (config.smtpUrl) {
    const protocol = /^([a-z]+):\/\//i.exec(config.smtpUrl)?.[1]?.toLowerCase();
    if (protocol !== "smtp" && protocol !== "smtps") {
      throw new DeliveryError("SMTP URL must start with smtp:// or smtps://", false);
    }
    // nodemailer parses the URL itself so query options (tls.rejectUnauthorized, ignoreTLS…) keep working.
    return { options: { url: config.smtpUrl, ...timeouts, ...hardening }, secrets };
  }
  if (config.smtpHost) {
    const auth = config.smtpUser ? { user: config.smtpUser, pass: config.smtpPassword ?? "" } : undefined;
    const secure = config.smtpSecure ?? false;
    return {
      options: {
        host: config.smtpHost,
        port: config.smtpPort ?? (secure ? 465 : 587),
        secure,
        ...(auth ? { auth } : {}),
        ...timeouts,
        ...hardening,
      },
      secrets,
    };
  }
  throw new DeliveryError("email is not configured: set SMTP_URL (or the SMTP host settings)", false);
}

// One transport per distinct configuration: creating one per message would re-resolve and re-parse for
// every run. The key holds the password only in memory, as the config object itself does.
const transports = new Map<string, Transporter>();

function transportFor(options: SMTPTransportOptions): Transporter {
  const key = JSON.stringify(options);
  let transport = transports.get(key);
  if (!transport) {
    transport = nodemailer.createTransport(options);
    transports.set(key, transport);
  }
  return transport;
}

/** Closes every cached SMTP transport (for shutdown and tests). */
export function closeTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}

/** How many transports are cached: lets tests prove reuse. */
export function cachedTransportCount(): number {
  return transports.size;
}

/**
 * Sends one message to all addresses. Resolves with a note about partially rejected recipients (or null);
 * throws a DeliveryError whose message has had every secret removed.
 */
export async function sendRunEmail(
  emails: readonly string[],
  run: RunSummary,
  config: NotifyConfig,
): Promise<string | null> {
  if (emails.length === 0) throw new DeliveryError("no email addresses to notify", false);
  const settings = smtpSettings(config);
  const content = buildEmail(run, config);
  try {
    const info = await transportFor(settings.options).sendMail({
      from: config.smtpFrom || DEFAULT_SMTP_FROM,
      to: [...emails],
      subject: content.subject,
      text: content.text,
      html: content.html,
      headers: { "X-Crondeck-Task-Id": String(run.taskId), "X-Crondeck-Run-Id": String(run.runId) },
    });
    const rejected = (info.rejected ?? []).map(String);
    return rejected.length > 0 ? `rejected recipients: ${rejected.join(", ")}` : null;
  } catch (error) {
    const responseCode = (error as { responseCode?: unknown }).responseCode;
    // 5xx is the server's final word (bad address, auth refused, message refused); 4xx and network errors may pass.
    const permanent = typeof responseCode === "number" && responseCode >= 500;
    throw new DeliveryError(redact(errorMessage(error), settings.secrets), !permanent);
  }
}

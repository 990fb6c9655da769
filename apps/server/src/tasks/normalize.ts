import { checkCron, isValidTimezone, type NotifyChannel, parseList, type WebhookFormat } from "@crondeck/core";
import { type TaskRow, taskNameKey } from "@crondeck/db";
import { detectWebhookFormat } from "@crondeck/notify";
import { type FieldError, type FieldErrorCode, validationError } from "../lib/errors.ts";
import type { TaskInput } from "../routes/api/tasks/schema.ts";
import { restoreHeaders, restoreWebhookUrl } from "./credentials.ts";
import { toApiTask } from "./repository.ts";

// The rules of SPEC §1 that a JSON schema can't express. Every create, replace and patch goes
// through normalizeTask, so there is one place that decides what a valid task is.

/**
 * The columns a task write sets (JSON-encoded lists and maps included); the task list's search
 * text and next-run key are derived from them by the repository.
 */
export type TaskWrite = Omit<
  TaskRow,
  "id" | "createdAt" | "updatedAt" | "searchText" | "nextRunAtMs" | "lastRunId" | "lastRunStatus" | "lastRunFinishedAt"
>;

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What undici (like Node's http) lets into a header value; anything else fails every run. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** C0 controls (NUL, TAB, LF, CR, ESC…), DEL and C1 controls. */
const CONTROL = /\p{Cc}/u;
/** Half a surrogate pair: not text; MySQL would store it as "?". */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why a URL Crondeck will call is refused, or null. The URL parser would silently drop tabs and
 * line breaks, so the URL called would not be the one shown; credentials in it would be shown to
 * every viewer (and undici does not turn them into an Authorization header).
 */
function httpUrlProblem(
  value: string,
  notUrl: string,
  credentials: string,
): { message: string; code: FieldErrorCode } | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { message: notUrl, code: "HTTP_URL" };
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname.length === 0)
    return { message: notUrl, code: "HTTP_URL" };
  if (CONTROL.test(value))
    return { message: "must not contain control characters (tabs, line breaks, NUL…)", code: "CONTROL_CHARS" };
  if (url.username !== "" || url.password !== "") return { message: credentials, code: "URL_CREDENTIALS" };
  return null;
}

const CREDENTIALS_IN_URL = "must not contain a user name or password (user:password@host): every viewer would see them";

function isEmailAddress(value: string): boolean {
  return EMAIL.test(value) && !CONTROL.test(value);
}

/** The fields that say where a notification goes, already parsed (lists split, URL trimmed). */
export interface NotifyDestination {
  /** null: no channel is needed (policy NONE), so only the given values are checked. */
  channel: NotifyChannel | null;
  emails: string[];
  webhookUrl: string | null;
}

/**
 * Checks a notification destination the same way for a task and for a test message: each address
 * valid, at most 50, the URL absolute http(s), and the chosen channel's own field present.
 */
export function notifyDestinationErrors({ channel, emails, webhookUrl }: NotifyDestination): FieldError[] {
  const errors: FieldError[] = [];
  emails.forEach((email, i) => {
    if (!isEmailAddress(email))
      errors.push({
        field: `notifyEmails[${i}]`,
        message: `is not a valid email address: ${email}`,
        code: "EMAIL",
        params: { value: email },
      });
  });
  if (emails.length > 50)
    errors.push({
      field: "notifyEmails",
      message: "must have at most 50 addresses",
      code: "MAX_ITEMS",
      params: { limit: 50 },
    });
  const urlProblem =
    webhookUrl === null ? null : httpUrlProblem(webhookUrl, "must be an absolute http(s) URL", CREDENTIALS_IN_URL);
  if (urlProblem !== null) errors.push({ field: "notifyWebhookUrl", ...urlProblem });
  if (channel === "EMAIL" && emails.length === 0) {
    errors.push({
      field: "notifyEmails",
      message: "needs at least one address when notifyChannel is EMAIL",
      code: "REQUIRED_WHEN",
      params: { field: "notifyChannel", value: "EMAIL" },
    });
  }
  if (channel === "WEBHOOK" && webhookUrl === null) {
    errors.push({
      field: "notifyWebhookUrl",
      message: "is required when notifyChannel is WEBHOOK",
      code: "REQUIRED_WHEN",
      params: { field: "notifyChannel", value: "WEBHOOK" },
    });
  }
  return errors;
}

/**
 * Checks and completes a task input. `previous` is the stored task for PUT/PATCH: a webhook secret
 * that is not mentioned is kept, since the API never returns it for the client to send back, and
 * masked credentials (headers, webhook URL tokens) sent back as `***` keep their stored values.
 */
export function normalizeTask(input: TaskInput, defaultZone: string, previous?: TaskRow): TaskWrite {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string, code?: FieldErrorCode, params?: Record<string, string | number>) =>
    errors.push({ field, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
  const when = (field: string, value: string) => ({ field, value });

  const name = input.name.trim();
  if (name.length < 1 || name.length > 64)
    fail("name", "must be 1–64 characters after trimming", "MAX_LENGTH", { limit: 64 });
  if (CONTROL.test(name))
    fail("name", "must not contain control characters (tabs, line breaks, NUL, escape…)", "CONTROL_CHARS");
  if (LONE_SURROGATE.test(name))
    fail("name", "must be valid Unicode text (it holds half a surrogate pair)", "INVALID_UNICODE");

  const mode = input.mode;
  const httpMethod = input.httpMethod ?? null;
  const headers = restoreHeaders(input.httpHeaders ?? {}, previous?.httpHeaders, fail);
  const body = input.httpBody ?? null;
  const command = input.command;

  if (mode === "HTTP") {
    if (httpMethod === null) fail("httpMethod", "is required when mode is HTTP", "REQUIRED_WHEN", when("mode", "HTTP"));
    const urlProblem = httpUrlProblem(
      command.trim(),
      "must be an absolute http(s) URL when mode is HTTP",
      `${CREDENTIALS_IN_URL}; send them in an Authorization header (httpHeaders) instead`,
    );
    if (urlProblem !== null) fail("command", urlProblem.message, urlProblem.code);
    if (body !== null && httpMethod === "GET")
      fail("httpBody", "is allowed only with POST", "ALLOWED_ONLY_WHEN", when("httpMethod", "POST"));
    for (const [key, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(key)) fail(`httpHeaders.${key}`, "is not a valid header name", "HEADER_NAME");
      if (/[\r\n]/.test(value)) fail(`httpHeaders.${key}`, "must not contain line breaks", "NO_LINE_BREAKS");
      else if (!HEADER_VALUE.test(value)) {
        fail(
          `httpHeaders.${key}`,
          "may hold only tabs, printable ASCII and Latin-1 characters (no NUL or other controls)",
          "HEADER_VALUE",
        );
      }
    }
  } else {
    if (httpMethod !== null)
      fail("httpMethod", "must be null or absent when mode is SHELL", "NOT_ALLOWED_WHEN", when("mode", "SHELL"));
    if (Object.keys(headers).length > 0)
      fail("httpHeaders", "is allowed only when mode is HTTP", "ALLOWED_ONLY_WHEN", when("mode", "HTTP"));
    if (body !== null) fail("httpBody", "is allowed only when mode is HTTP", "ALLOWED_ONLY_WHEN", when("mode", "HTTP"));
    if (command.trim().length === 0) fail("command", "must not be blank", "BLANK");
    // spawn() refuses an argument holding NUL, so every run would fail.
    if (command.includes("\0")) fail("command", "must not contain NUL characters", "NUL_CHARS");
  }
  if (Buffer.byteLength(command) > 8192) fail("command", "must be at most 8 KiB", "MAX_BYTES", { limit: "8 KiB" });
  if (body !== null && Buffer.byteLength(body) > 65_536)
    fail("httpBody", "must be at most 64 KiB", "MAX_BYTES", { limit: "64 KiB" });

  const timezone = input.timezone ?? previous?.timezone ?? defaultZone;
  const zoneOk = isValidTimezone(timezone);
  if (!zoneOk) fail("timezone", `is not a known IANA time zone: ${timezone}`, "UNKNOWN_ZONE", { value: timezone });
  const cron = input.cron.trim();
  const cronCheck = checkCron(cron, zoneOk ? timezone : "UTC");
  if (!cronCheck.ok)
    fail("cron", `is not a valid cron expression: ${cronCheck.error}`, "CRON", { reason: cronCheck.error ?? "" });

  const notifyPolicy = input.notifyPolicy ?? "NONE";
  const notifyChannel = input.notifyChannel ?? null;
  const notifyEmails = parseList(input.notifyEmails);
  const notifyKeywords = parseList(input.notifyKeywords);
  const notifyWebhookUrl = restoreWebhookUrl(input.notifyWebhookUrl?.trim() || null, previous?.notifyWebhookUrl, fail);

  if (notifyPolicy !== "NONE" && notifyChannel === null) {
    fail("notifyChannel", "is required when notifyPolicy is not NONE", "REQUIRED_UNLESS", when("notifyPolicy", "NONE"));
  }
  errors.push(
    ...notifyDestinationErrors({
      channel: notifyPolicy === "NONE" ? null : notifyChannel,
      emails: notifyEmails,
      webhookUrl: notifyWebhookUrl,
    }),
  );
  if (notifyKeywords.length > 50) fail("notifyKeywords", "must have at most 50 keywords", "MAX_ITEMS", { limit: 50 });
  notifyKeywords.forEach((keyword, i) => {
    if (keyword.length > 128)
      fail(`notifyKeywords[${i}]`, "must be at most 128 characters", "MAX_LENGTH", { limit: 128 });
  });
  if (notifyPolicy === "ON_KEYWORD" && notifyKeywords.length === 0) {
    fail(
      "notifyKeywords",
      "needs at least one keyword when notifyPolicy is ON_KEYWORD",
      "REQUIRED_WHEN",
      when("notifyPolicy", "ON_KEYWORD"),
    );
  }

  if (errors.length > 0) throw validationError(errors);

  let notifyWebhookFormat: WebhookFormat | null = input.notifyWebhookFormat ?? null;
  if (notifyWebhookFormat === null && notifyWebhookUrl !== null) {
    notifyWebhookFormat = detectWebhookFormat(notifyWebhookUrl);
  }
  const secretGiven = input.notifyWebhookSecret !== undefined;
  const notifyWebhookSecret = secretGiven ? input.notifyWebhookSecret || null : (previous?.notifyWebhookSecret ?? null);

  return {
    name,
    nameKey: taskNameKey(name),
    mode,
    httpMethod: mode === "HTTP" ? httpMethod : null,
    cron,
    timezone,
    command: mode === "HTTP" ? command.trim() : command,
    httpHeaders: JSON.stringify(headers),
    httpBody: body,
    executorGroup: input.executorGroup ?? "default",
    timeoutSeconds: input.timeoutSeconds ?? 60,
    retryCount: input.retryCount ?? 0,
    retryIntervalSeconds: input.retryIntervalSeconds ?? 60,
    concurrencyPolicy: input.concurrencyPolicy ?? "FORBID",
    misfirePolicy: input.misfirePolicy ?? "SKIP",
    misfireGraceSeconds: input.misfireGraceSeconds ?? 3600,
    notifyPolicy,
    notifyChannel,
    notifyEmails: JSON.stringify(notifyEmails),
    notifyWebhookUrl,
    notifyWebhookFormat,
    notifyWebhookSecret,
    notifyKeywords: JSON.stringify(notifyKeywords),
    enabled: input.enabled ?? true,
    remark: input.remark ?? "",
  };
}

/** The stored task as an input, so PATCH can merge a few fields into it and re-check the whole. */
export function rowToInput(row: TaskRow): TaskInput {
  // The API view minus what is assigned or computed; the secret stays out (omitted means "keep").
  const { id, createdAt, updatedAt, nextRunAt, notifyWebhookSecretSet, ...input } = toApiTask(row, () => null);
  return input;
}

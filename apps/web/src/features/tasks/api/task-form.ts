import {
  type ConcurrencyPolicy,
  formatList,
  type HttpMethod,
  type MisfirePolicy,
  type NotifyChannel,
  type NotifyPolicy,
  parseList,
  type Task,
  type TaskMode,
  type WebhookFormat,
} from "@crondeck/core";
import type { MessageKey } from "../../../lib/i18n/index.tsx";

// The form's own model: what the inputs hold (text for numbers and lists), and the two-way
// mapping to the API's task input. Kept free of React so its rules are easy to test and read.

export interface TaskFormValues {
  name: string;
  mode: TaskMode;
  httpMethod: HttpMethod;
  cron: string;
  timezone: string;
  command: string;
  /** `Key: Value` lines. */
  httpHeaders: string;
  httpBody: string;
  executorGroup: string;
  timeoutSeconds: string;
  retryCount: string;
  retryIntervalSeconds: string;
  concurrencyPolicy: ConcurrencyPolicy;
  misfirePolicy: MisfirePolicy;
  misfireGraceSeconds: string;
  notifyPolicy: NotifyPolicy;
  notifyChannel: NotifyChannel;
  /** One line, `,` or `，` between addresses. */
  notifyEmails: string;
  notifyWebhookUrl: string;
  /** "" lets the server detect the format from the URL. */
  notifyWebhookFormat: WebhookFormat | "";
  /** Write-only: blank keeps the saved secret when editing. */
  notifyWebhookSecret: string;
  clearWebhookSecret: boolean;
  notifyKeywords: string;
  enabled: boolean;
  remark: string;
}

export type FormField = keyof TaskFormValues;

/** Where the task form keeps unsaved input (lib/drafts.ts): one draft per task, one for a new task. */
export function taskDraftKey(taskId: number | undefined): string {
  return `task:${taskId ?? "new"}`;
}

/** The input a draft keeps: everything typed but the webhook secret, which is never stored. */
export function draftOf(values: TaskFormValues): TaskFormValues {
  return { ...values, notifyWebhookSecret: "" };
}

export function emptyFormValues(timezone: string): TaskFormValues {
  return {
    name: "",
    mode: "SHELL",
    httpMethod: "GET",
    cron: "",
    timezone,
    command: "",
    httpHeaders: "",
    httpBody: "",
    executorGroup: "default",
    timeoutSeconds: "60",
    retryCount: "0",
    retryIntervalSeconds: "60",
    concurrencyPolicy: "FORBID",
    misfirePolicy: "SKIP",
    misfireGraceSeconds: "3600",
    notifyPolicy: "NONE",
    notifyChannel: "EMAIL",
    notifyEmails: "",
    notifyWebhookUrl: "",
    notifyWebhookFormat: "",
    notifyWebhookSecret: "",
    clearWebhookSecret: false,
    notifyKeywords: "",
    enabled: true,
    remark: "",
  };
}

export function formValuesFromTask(task: Task): TaskFormValues {
  return {
    name: task.name,
    mode: task.mode,
    httpMethod: task.httpMethod ?? "GET",
    cron: task.cron,
    timezone: task.timezone,
    command: task.command,
    httpHeaders: formatHeaders(task.httpHeaders ?? {}),
    httpBody: task.httpBody ?? "",
    executorGroup: task.executorGroup,
    timeoutSeconds: String(task.timeoutSeconds),
    retryCount: String(task.retryCount),
    retryIntervalSeconds: String(task.retryIntervalSeconds),
    concurrencyPolicy: task.concurrencyPolicy,
    misfirePolicy: task.misfirePolicy,
    misfireGraceSeconds: String(task.misfireGraceSeconds),
    notifyPolicy: task.notifyPolicy,
    notifyChannel: task.notifyChannel ?? "EMAIL",
    notifyEmails: formatList(task.notifyEmails ?? []),
    notifyWebhookUrl: task.notifyWebhookUrl ?? "",
    notifyWebhookFormat: task.notifyWebhookFormat ?? "",
    notifyWebhookSecret: "",
    clearWebhookSecret: false,
    notifyKeywords: formatList(task.notifyKeywords ?? []),
    enabled: task.enabled,
    remark: task.remark ?? "",
  };
}

/** Which optional fields apply to these values; the form shows exactly these. */
export function applicableFields(v: Pick<TaskFormValues, "mode" | "httpMethod" | "notifyPolicy" | "notifyChannel">) {
  const http = v.mode === "HTTP";
  const notifies = v.notifyPolicy !== "NONE";
  return {
    httpMethod: http,
    httpHeaders: http,
    httpBody: http && v.httpMethod === "POST",
    notifyChannel: notifies,
    notifyEmails: notifies && v.notifyChannel === "EMAIL",
    notifyWebhookUrl: notifies && v.notifyChannel === "WEBHOOK",
    notifyWebhookFormat: notifies && v.notifyChannel === "WEBHOOK",
    notifyWebhookSecret: notifies && v.notifyChannel === "WEBHOOK",
    notifyKeywords: v.notifyPolicy === "ON_KEYWORD",
  };
}

export interface HeaderParse {
  headers: Record<string, string>;
  /** 1-based line numbers that are not `Key: Value`. */
  badLines: number[];
}

/** `Key: Value` lines to an object; blank lines are ignored, the value may contain colons. */
export function parseHeaders(text: string): HeaderParse {
  const headers: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    const colon = line.indexOf(":");
    const key = colon > 0 ? line.slice(0, colon).trim() : "";
    if (!key) {
      badLines.push(index + 1);
      return;
    }
    headers[key] = line.slice(colon + 1).trim();
  });
  return { headers, badLines };
}

export function formatHeaders(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([key, value]) => `${key}: ${value}`)
    .join("\n");
}

export interface ClientError {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

const INTEGER_FIELDS = ["timeoutSeconds", "retryCount", "retryIntervalSeconds", "misfireGraceSeconds"] as const;

/**
 * Checks the server cannot do for us (header lines) or that save a round trip (blank required
 * fields). Ranges and formats are the server's job: its `details` land on the same fields.
 */
export function validateForm(v: TaskFormValues): Partial<Record<FormField, ClientError>> {
  const errors: Partial<Record<FormField, ClientError>> = {};
  const applies = applicableFields(v);
  if (!v.name.trim()) errors.name = { key: "form.required" };
  if (!v.cron.trim()) errors.cron = { key: "form.required" };
  if (!v.command.trim()) errors.command = { key: "form.required" };
  for (const field of INTEGER_FIELDS) {
    if (!/^\s*\d+\s*$/.test(v[field])) errors[field] = { key: "form.notInteger" };
  }
  if (applies.httpHeaders) {
    const bad = parseHeaders(v.httpHeaders).badLines[0];
    if (bad !== undefined) errors.httpHeaders = { key: "form.badHeader", vars: { line: bad } };
  }
  if (applies.notifyEmails && parseList(v.notifyEmails).length === 0) errors.notifyEmails = { key: "form.required" };
  if (applies.notifyWebhookUrl && !v.notifyWebhookUrl.trim()) errors.notifyWebhookUrl = { key: "form.required" };
  if (applies.notifyKeywords && parseList(v.notifyKeywords).length === 0) {
    errors.notifyKeywords = { key: "form.required" };
  }
  return errors;
}

/** Numbers the user typed; anything else is sent as typed so the server names the field. */
function toInt(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

/** The notification settings alone, as both the task input and the notification test take them. */
export function toNotifyInput(v: TaskFormValues): Record<string, unknown> {
  const applies = applicableFields(v);
  const input: Record<string, unknown> = { notifyPolicy: v.notifyPolicy };
  input.notifyChannel = applies.notifyChannel ? v.notifyChannel : null;
  if (applies.notifyEmails) input.notifyEmails = parseList(v.notifyEmails);
  if (applies.notifyWebhookUrl) input.notifyWebhookUrl = v.notifyWebhookUrl.trim();
  if (applies.notifyWebhookFormat && v.notifyWebhookFormat) input.notifyWebhookFormat = v.notifyWebhookFormat;
  if (applies.notifyWebhookSecret) {
    if (v.notifyWebhookSecret) input.notifyWebhookSecret = v.notifyWebhookSecret;
    else if (v.clearWebhookSecret) input.notifyWebhookSecret = null;
  }
  if (applies.notifyKeywords) input.notifyKeywords = parseList(v.notifyKeywords);
  return input;
}

/**
 * The body of POST /api/notifications/test: the channel settings only. With `taskId` the server
 * may sign with the task's saved secret when none is typed.
 */
export function toNotificationTestInput(v: TaskFormValues, taskId?: number): Record<string, unknown> {
  const { notifyPolicy: _policy, notifyKeywords: _keywords, ...channel } = toNotifyInput(v);
  if (taskId !== undefined) channel.taskId = taskId;
  return channel;
}

/**
 * The JSON for POST/PUT. Fields that do not apply are left out (the API resets them to their
 * defaults) except the two the contract wants as explicit nulls. An untouched secret is left out
 * so editing a task keeps it.
 */
export function toTaskInput(v: TaskFormValues): Record<string, unknown> {
  const applies = applicableFields(v);
  const input: Record<string, unknown> = {
    name: v.name.trim(),
    mode: v.mode,
    httpMethod: applies.httpMethod ? v.httpMethod : null,
    cron: v.cron.trim(),
    command: v.command.trim(),
    executorGroup: v.executorGroup.trim() || "default",
    timeoutSeconds: toInt(v.timeoutSeconds),
    retryCount: toInt(v.retryCount),
    retryIntervalSeconds: toInt(v.retryIntervalSeconds),
    concurrencyPolicy: v.concurrencyPolicy,
    misfirePolicy: v.misfirePolicy,
    misfireGraceSeconds: toInt(v.misfireGraceSeconds),
    ...toNotifyInput(v),
    enabled: v.enabled,
    remark: v.remark,
  };
  // Blank means "the server's default zone", which only the server knows.
  if (v.timezone.trim()) input.timezone = v.timezone.trim();
  if (applies.httpHeaders) input.httpHeaders = parseHeaders(v.httpHeaders).headers;
  if (applies.httpBody) input.httpBody = v.httpBody;
  return input;
}

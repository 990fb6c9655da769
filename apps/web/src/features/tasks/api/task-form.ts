import type { Task } from "@crondeck/api-client";
import {
  type ConcurrencyPolicy,
  type DependencyCondition,
  type FormField,
  formatList,
  type MisfirePolicy,
  type NotifyPolicy,
  parseList,
} from "@crondeck/core";
import type { MessageKey } from "../../../lib/i18n/index.tsx";
import { findModule, type Meta, type ModuleMeta, shownFields } from "../../../lib/meta.ts";

// The form's own model: what the inputs hold (text for numbers and lists), and the two-way
// mapping to the API's task input. Kept free of React so its rules are easy to test and read.
// A mode's or channel's own fields come from GET /api/meta (lib/meta.ts): this file converts them
// by their kind, never by their name.

export interface TaskFormValues {
  name: string;
  mode: string;
  cron: string;
  timezone: string;
  executorGroup: string;
  timeoutSeconds: string;
  retryCount: string;
  retryIntervalSeconds: string;
  concurrencyPolicy: ConcurrencyPolicy;
  misfirePolicy: MisfirePolicy;
  misfireGraceSeconds: string;
  notifyPolicy: NotifyPolicy;
  notifyChannel: string;
  notifyKeywords: string;
  /** The language of its notifications; "" follows the server's default. */
  notifyLanguage: "" | "zh" | "en";
  /** The task's environment as `NAME=value` lines. */
  env: string;
  enabled: boolean;
  remark: string;
  owner: string;
  /** The tags added so far (the tag input's chips). */
  tags: string[];
  /** Upstream tasks whose runs start this one (names are shown from the dependencies API). */
  dependsOn: Array<{ taskId: number; on: DependencyCondition }>;
  dependsOnAll: boolean;
  /** The modes' and channels' fields as typed, by task field name (write-only ones excepted). */
  fields: Record<string, string>;
  /** Write-only fields as typed: blank keeps the saved value. Kept apart so no draft ever holds one. */
  secrets: Record<string, string>;
  /** Write-only fields whose saved value is to be removed. */
  clear: Record<string, boolean>;
}

/** A base field of the form, or a module field by its task field name. */
export type FormFieldName = Exclude<keyof TaskFormValues, "fields" | "secrets" | "clear"> | (string & {});

/** Where the task form keeps unsaved input (lib/drafts.ts): one draft per task, one for a new task. */
export function taskDraftKey(taskId: number | undefined): string {
  return `task:${taskId ?? "new"}`;
}

/** The input a draft keeps: everything typed but write-only values, which are never stored. */
export function draftOf(values: TaskFormValues): TaskFormValues {
  return { ...values, secrets: {} };
}

export function emptyFormValues(timezone: string, meta: Meta): TaskFormValues {
  return {
    name: "",
    mode: meta.modes[0]?.name ?? "",
    cron: "",
    timezone,
    executorGroup: "default",
    timeoutSeconds: "60",
    retryCount: "0",
    retryIntervalSeconds: "60",
    concurrencyPolicy: "FORBID",
    misfirePolicy: "SKIP",
    misfireGraceSeconds: "3600",
    notifyPolicy: "NONE",
    notifyChannel: meta.channels[0]?.name ?? "",
    notifyKeywords: "",
    notifyLanguage: "",
    env: "",
    enabled: true,
    remark: "",
    owner: "",
    tags: [],
    dependsOn: [],
    dependsOnAll: false,
    fields: {},
    secrets: {},
    clear: {},
  };
}

/** A field's API value as the input shows it: lists on one line, key/value maps as `Key: Value` lines. */
function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return formatList(value.map(String));
  if (typeof value === "object") return formatHeaders(value as Record<string, string>);
  return String(value);
}

export function formValuesFromTask(task: Task, meta: Meta): TaskFormValues {
  const source = task as unknown as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const module of [...meta.modes, ...meta.channels]) {
    for (const field of module.fields) {
      if (field.kind !== "secret" && field.name in source) fields[field.name] = toText(source[field.name]);
    }
  }
  return {
    name: task.name,
    mode: task.mode,
    cron: task.cron,
    timezone: task.timezone,
    executorGroup: task.executorGroup,
    timeoutSeconds: String(task.timeoutSeconds),
    retryCount: String(task.retryCount),
    retryIntervalSeconds: String(task.retryIntervalSeconds),
    concurrencyPolicy: task.concurrencyPolicy,
    misfirePolicy: task.misfirePolicy,
    misfireGraceSeconds: String(task.misfireGraceSeconds),
    notifyPolicy: task.notifyPolicy,
    notifyChannel: task.notifyChannel ?? meta.channels[0]?.name ?? "",
    notifyKeywords: formatList(task.notifyKeywords ?? []),
    // A server from before notification languages sends none: the default.
    notifyLanguage: task.notifyLanguage ?? "",
    env: formatEnv(taskEnv(task)),
    enabled: task.enabled,
    remark: task.remark ?? "",
    owner: task.owner ?? "",
    tags: task.tags ?? [],
    dependsOn: (task.dependsOn ?? []).map(({ taskId, on }) => ({ taskId, on })),
    dependsOnAll: task.dependsOnAll ?? false,
    fields,
    secrets: {},
    clear: {},
  };
}

/** Which write-only fields of the task hold a value: the API says so as `<field>Set`. */
export function savedSecrets(task: Task, meta: Meta): Record<string, boolean> {
  const source = task as unknown as Record<string, unknown>;
  const out: Record<string, boolean> = {};
  for (const module of [...meta.modes, ...meta.channels]) {
    for (const field of module.fields)
      if (field.kind === "secret") out[field.name] = source[`${field.name}Set`] === true;
  }
  return out;
}

/**
 * What a module field's input holds. A select whose text is none of its choices (a new task, or a
 * mode just chosen) holds its first choice, as the select shows it.
 */
export function fieldText(field: FormField, v: TaskFormValues): string {
  if (field.kind === "secret") return v.secrets[field.name] ?? "";
  const text = v.fields[field.name] ?? "";
  const options = field.options ?? [];
  if (field.kind === "select" && options.length > 0 && !options.some((o) => o.value === text))
    return options[0]?.value ?? "";
  return text;
}

/** The fields of `module` that apply to these values (`showWhen` reads the other fields' text). */
function moduleFields(module: ModuleMeta | undefined, v: TaskFormValues): FormField[] {
  return shownFields(module, (name) => {
    const other = module?.fields.find((f) => f.name === name);
    return other ? fieldText(other, v) : v.fields[name];
  });
}

/** Which fields apply to these values; the form shows exactly these, and sends only these. */
export function applicableFields(v: TaskFormValues, meta: Meta) {
  const notifies = v.notifyPolicy !== "NONE";
  const mode = findModule(meta.modes, v.mode);
  const channel = notifies ? findModule(meta.channels, v.notifyChannel) : undefined;
  return {
    mode,
    channel,
    modeFields: moduleFields(mode, v),
    channelFields: channel ? moduleFields(channel, v) : [],
    notifyChannel: notifies,
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

/** What an environment variable may be called (the server's rule; `CRONDECK_*` it refuses itself). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvParse {
  env: Record<string, string>;
  /** 1-based line numbers that are not `NAME=value` with a valid, not yet used NAME. */
  badLines: number[];
}

/**
 * `NAME=value` lines to an object. Blank lines are ignored; the value is everything after the
 * first `=`, kept as typed (spaces can matter to a program). A name given twice is a bad line
 * rather than a silent overwrite.
 */
export function parseEnv(text: string): EnvParse {
  const env: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    const equals = line.indexOf("=");
    const name = equals > 0 ? line.slice(0, equals).trim() : "";
    if (!ENV_NAME_PATTERN.test(name) || Object.hasOwn(env, name)) {
      badLines.push(index + 1);
      return;
    }
    env[name] = line.slice(equals + 1);
  });
  return { env, badLines };
}

/** A task's environment; none when the answer has no `env` (a server from before it). */
export function taskEnv(task: Task): Record<string, string> {
  return task.env ?? {};
}

export function formatEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
}

export interface ClientError {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

const INTEGER_FIELDS = ["timeoutSeconds", "retryCount", "retryIntervalSeconds", "misfireGraceSeconds"] as const;

/** Whether a module field's input says nothing (a required one then gets the "required" mark). */
function isBlank(field: FormField, text: string): boolean {
  if (field.kind === "list") return parseList(text).length === 0;
  if (field.kind === "keyValue") return Object.keys(parseHeaders(text).headers).length === 0;
  return text.trim() === "";
}

/**
 * Checks the server cannot do for us (key/value lines) or that save a round trip (blank required
 * fields). Ranges and formats are the server's job: its `details` land on the same fields.
 */
export function validateForm(v: TaskFormValues, meta: Meta): Partial<Record<FormFieldName, ClientError>> {
  const errors: Partial<Record<FormFieldName, ClientError>> = {};
  const applies = applicableFields(v, meta);
  if (!v.name.trim()) errors.name = { key: "form.required" };
  if (!v.cron.trim()) errors.cron = { key: "form.required" };
  for (const field of INTEGER_FIELDS) {
    if (!/^\s*\d+\s*$/.test(v[field])) errors[field] = { key: "form.notInteger" };
  }
  for (const field of [...applies.modeFields, ...applies.channelFields]) {
    const text = fieldText(field, v);
    const bad = field.kind === "keyValue" ? parseHeaders(text).badLines[0] : undefined;
    if (bad !== undefined) errors[field.name] = { key: "form.badHeader", vars: { line: bad } };
    // A write-only field may be saved already: blank keeps it, so only the server can tell.
    else if (field.required && field.kind !== "secret" && isBlank(field, text))
      errors[field.name] = { key: "form.required" };
  }
  const badEnv = parseEnv(v.env).badLines[0];
  if (badEnv !== undefined) errors.env = { key: "form.badEnv", vars: { line: badEnv } };
  if (applies.notifyKeywords && parseList(v.notifyKeywords).length === 0) {
    errors.notifyKeywords = { key: "form.required" };
  }
  return errors;
}

/** Numbers the user typed; anything else is sent as typed so the server names the field. */
function toInt(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

/** The module fields shown, as the API takes them; a field left out gets the module's empty value. */
function moduleInput(fields: readonly FormField[], v: TaskFormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const text = fieldText(field, v);
    switch (field.kind) {
      case "keyValue":
        input[field.name] = parseHeaders(text).headers;
        break;
      case "list":
        input[field.name] = parseList(text);
        break;
      case "secret":
        // Blank keeps the saved value: only a typed value or the "remove" box says something.
        if (text) input[field.name] = text;
        else if (v.clear[field.name]) input[field.name] = null;
        break;
      case "textarea":
        if (text !== "") input[field.name] = text;
        break;
      default:
        if (text.trim() !== "") input[field.name] = text.trim();
    }
  }
  return input;
}

/** The notification settings alone, as both the task input and the notification test take them. */
export function toNotifyInput(v: TaskFormValues, meta: Meta): Record<string, unknown> {
  const applies = applicableFields(v, meta);
  const input: Record<string, unknown> = { notifyPolicy: v.notifyPolicy };
  input.notifyChannel = applies.notifyChannel ? v.notifyChannel : null;
  Object.assign(input, moduleInput(applies.channelFields, v));
  if (applies.notifyKeywords) input.notifyKeywords = parseList(v.notifyKeywords);
  input.notifyLanguage = v.notifyLanguage || null;
  return input;
}

/**
 * The body of POST /api/notifications/test: the channel settings and what the message describes,
 * the task as typed (name, mode, zone, language, retries, policy, keywords). With `taskId` the
 * server may sign with the task's saved secret when none is typed, and fills in what is blank.
 */
export function toNotificationTestInput(v: TaskFormValues, meta: Meta, taskId?: number): Record<string, unknown> {
  const input = toNotifyInput(v, meta);
  if (v.name.trim()) input.name = v.name.trim();
  if (v.mode) input.mode = v.mode;
  if (v.timezone.trim()) input.timezone = v.timezone.trim();
  // Only a valid count: the test is about the message, the save names a bad field.
  const retries = toInt(v.retryCount);
  if (typeof retries === "number" && retries <= 10) input.retryCount = retries;
  if (taskId !== undefined) input.taskId = taskId;
  return input;
}

/**
 * The JSON for POST/PUT. Fields that do not apply are left out (the API resets them to their
 * module's empty value); notifyChannel is null when the task does not notify. An untouched
 * write-only value is left out so editing a task keeps it.
 */
export function toTaskInput(v: TaskFormValues, meta: Meta): Record<string, unknown> {
  const applies = applicableFields(v, meta);
  const input: Record<string, unknown> = {
    name: v.name.trim(),
    mode: v.mode,
    cron: v.cron.trim(),
    ...moduleInput(applies.modeFields, v),
    executorGroup: v.executorGroup.trim() || "default",
    timeoutSeconds: toInt(v.timeoutSeconds),
    retryCount: toInt(v.retryCount),
    retryIntervalSeconds: toInt(v.retryIntervalSeconds),
    concurrencyPolicy: v.concurrencyPolicy,
    misfirePolicy: v.misfirePolicy,
    misfireGraceSeconds: toInt(v.misfireGraceSeconds),
    // Always sent: an emptied field must clear the saved variables.
    env: parseEnv(v.env).env,
    ...toNotifyInput(v, meta),
    enabled: v.enabled,
    remark: v.remark,
    owner: v.owner,
    // A draft saved before tags existed has none.
    tags: v.tags ?? [],
    // Always sent: PUT clears upstreams left out.
    dependsOn: v.dependsOn ?? [],
    dependsOnAll: v.dependsOnAll ?? false,
  };
  // Blank means "the server's default zone", which only the server knows.
  if (v.timezone.trim()) input.timezone = v.timezone.trim();
  return input;
}

import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type TaskRow, taskNameKey } from "@crondeck/db";
import { isMap, parseDocument, stringify } from "yaml";
import { ApiError, type FieldError, validationError } from "../lib/errors.ts";
import { validatorCompiler } from "../lib/validator.ts";
import { type TaskInput, taskSchemas } from "../routes/api/tasks/schema.ts";
import type { TaskModules } from "./modules.ts";
import { normalizeTask, type TaskWrite } from "./normalize.ts";
import { toApiTask } from "./repository.ts";

// Tasks as code: one YAML file holds tasks keyed by name, with the API's task input fields. A plan
// compares the file with the stored tasks; apply writes exactly that plan. The same normalizeTask
// as the task routes decides what a task is, so a file can hold nothing the API would refuse.
//
// Secrets are never exported: write-only fields (notifyWebhookSecret) are left out, masked ones
// (credential header values, the robot token in a webhook URL) are written as *** (as every reader
// sees them), as their modules declare. In a file, a left-out write-only field and a *** value keep
// what is stored; a new task needs the real values.

export const TASKS_FILE_VERSION = 1;

/** What reading and writing files needs of an app's task modes and channels, worked out once per app. */
interface FileCodec {
  modules: TaskModules;
  /** The input fields in the order a file lists them; `name` is the key. */
  fields: string[];
  writeOnly: Set<string>;
  checkInput: (data: unknown) => { value?: unknown; error?: ApiError };
}

const codecs = new WeakMap<TaskModules, FileCodec>();

function codecOf(modules: TaskModules): FileCodec {
  let codec = codecs.get(modules);
  if (!codec) {
    const { TaskInput } = taskSchemas(modules);
    codec = {
      modules,
      fields: Object.keys(TaskInput.properties).filter((field) => field !== "name"),
      writeOnly: modules.writeOnlyFields(),
      checkInput: validatorCompiler({ schema: TaskInput, httpPart: "body", method: "POST", url: "" }) as (
        data: unknown,
      ) => { value?: unknown; error?: ApiError },
    };
    codecs.set(modules, codec);
  }
  return codec;
}

const HEADER = "# Crondeck tasks, keyed by name. Apply with `crondeck tasks apply -f <file>`; see the README.\n";

/** A stored task as the file writes it: input fields only, nothing empty, secrets masked or left out. */
function fileEntry(codec: FileCodec, row: TaskRow): Record<string, unknown> {
  const view = toApiTask(codec.modules, row, () => null) as unknown as Record<string, unknown>;
  const entry: Record<string, unknown> = {};
  for (const field of codec.fields) {
    const value = view[field];
    if (value === null || value === undefined || codec.writeOnly.has(field)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    if ((field === "remark" || field === "owner") && value === "") continue;
    entry[field] = value;
  }
  return entry;
}

/** Tasks ordered as a file lists them: by name, ASCII case folded, so exports diff well in Git. */
function byName(a: { name: string }, b: { name: string }): number {
  const ka = taskNameKey(a.name);
  const kb = taskNameKey(b.name);
  return ka < kb ? -1 : ka > kb ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The YAML text of these tasks; the same tasks always give the same bytes. */
export function exportTasks(modules: TaskModules, rows: TaskRow[]): string {
  const codec = codecOf(modules);
  const tasks: Record<string, unknown> = {};
  for (const row of [...rows].sort(byName)) tasks[row.name] = fileEntry(codec, row);
  const body = stringify(
    { version: TASKS_FILE_VERSION, tasks },
    // No folding of long lines, so a command reads (and diffs) as it is stored.
    { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false },
  );
  return HEADER + body;
}

/** One task of a file: its name (the key) and its input fields. */
export interface FileTask {
  name: string;
  input: TaskInput;
}

/** `tasks.<name>.<field>`, with the task's name in params so a client can say it its own way. */
function inTask(name: string, errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({
    ...e,
    field: `tasks.${name}${e.field === "body" ? "" : `.${e.field}`}`,
    params: { ...(e.params ?? {}), task: name },
  }));
}

/** A file's tasks that passed the schema, and what is wrong with the others (planTasks reports them). */
export interface TasksFile {
  text: string;
  tasks: FileTask[];
  errors: FieldError[];
}

/**
 * Reads a tasks file. Syntax and layout errors are thrown at once, naming the line; each task is
 * checked against the task input schema and its problems kept, so the plan reports every problem
 * of every task together.
 */
export function parseTasksFile(modules: TaskModules, text: string): TasksFile {
  const { checkInput } = codecOf(modules);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const syntax = [...doc.errors, ...doc.warnings];
  if (syntax.length > 0) {
    throw validationError(
      syntax.map((e) => ({
        field: "yaml",
        message: `line ${e.linePos?.[0]?.line ?? "?"}: ${e.message.split("\n")[0]}`,
        code: "INVALID",
        params: { line: e.linePos?.[0]?.line ?? 0 },
      })),
    );
  }
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message, code: "INVALID" });
  if (!isMap(doc.contents))
    throw validationError([
      { field: "yaml", message: "must be a map with version and tasks", code: "TYPE", params: { type: "object" } },
    ]);
  let root: Record<string, unknown>;
  try {
    // Aliases are capped, so a small file cannot expand into a huge one.
    root = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (err) {
    throw validationError([{ field: "yaml", message: (err as Error).message, code: "INVALID" }]);
  }
  for (const key of Object.keys(root)) {
    if (key !== "version" && key !== "tasks")
      errors.push({ field: key, message: "is not a known field", code: "UNKNOWN_FIELD" });
  }
  if (root.version !== TASKS_FILE_VERSION)
    fail("version", `must be ${TASKS_FILE_VERSION} (the tasks file format this server reads)`);
  if (errors.length > 0) throw validationError(errors);
  const tasks = root.tasks ?? {};
  if (typeof tasks !== "object" || tasks === null || Array.isArray(tasks)) {
    errors.push({
      field: "tasks",
      message: "must be a map of tasks keyed by name",
      code: "TYPE",
      params: { type: "object" },
    });
    throw validationError(errors);
  }
  const out: FileTask[] = [];
  const seen = new Map<string, string>();
  for (const [name, fields] of Object.entries(tasks as Record<string, unknown>)) {
    if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
      errors.push(
        ...inTask(name, [
          { field: "body", message: "must be a map of task fields", code: "TYPE", params: { type: "object" } },
        ]),
      );
      continue;
    }
    if ("name" in fields) {
      errors.push(
        ...inTask(name, [
          { field: "name", message: "is the task's key in the file, not a field", code: "UNKNOWN_FIELD" },
        ]),
      );
      continue;
    }
    const input = { name, ...(fields as object) };
    const checked = checkInput(input);
    if (checked.error) {
      errors.push(...inTask(name, checked.error.details ?? []));
      continue;
    }
    const key = taskNameKey(name.trim());
    const twin = seen.get(key);
    if (twin !== undefined) {
      errors.push(
        ...inTask(name, [
          {
            field: "name",
            message: `names the same task as ${JSON.stringify(twin)} (names ignore ASCII case)`,
            code: "TAKEN",
          },
        ]),
      );
      continue;
    }
    seen.set(key, name);
    out.push({ name, input: input as TaskInput });
  }
  return { text, tasks: out, errors };
}

/** One field of a change, as every reader sees it (credentials masked, the secret as *** or null). */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export type PlanAction = "create" | "update" | "delete" | "unchanged";

export interface PlanItem {
  name: string;
  action: PlanAction;
  /** The stored task's id (not for create). */
  id: number | null;
  /** update: the fields that change. */
  changes: FieldChange[];
}

export interface Plan {
  fingerprint: string;
  prune: boolean;
  summary: Record<PlanAction, number>;
  items: PlanItem[];
}

/** What apply writes for a planned item. */
export type PlannedWrite =
  | { action: "create"; name: string; data: TaskWrite }
  | { action: "update"; name: string; previous: TaskRow; data: TaskWrite }
  | { action: "delete"; name: string; previous: TaskRow };

/** A task's fields as stored (secrets included), by API field name: what a change is judged on. */
function storedFields(
  modules: TaskModules,
  row: Omit<TaskRow, "id" | "createdAt" | "updatedAt">,
): Record<string, unknown> {
  const { nameKey, modeSettings, notifySettings, searchText, nextRunAtMs, notifyKeywords, ...columns } = row;
  return { ...columns, notifyKeywords: JSON.parse(notifyKeywords), ...modules.stored(row) };
}

/**
 * The fields that differ between a stored task and what the file makes of it, shown as every
 * reader sees them: masked values stay masked, a write-only one reads *** when set.
 */
function diff(codec: FileCodec, previous: TaskRow, next: TaskWrite): FieldChange[] {
  const { modeText, ...columns } = next;
  const nextRow = { ...previous, ...columns, searchText: previous.searchText };
  const before = storedFields(codec.modules, previous);
  const after = storedFields(codec.modules, nextRow);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (field) => !isDeepStrictEqual(before[field], after[field]),
  );
  if (fields.length === 0) return [];
  const shown = (row: TaskRow, stored: Record<string, unknown>, field: string) => {
    if (codec.writeOnly.has(field)) return stored[field] === null || stored[field] === undefined ? null : "***";
    return (toApiTask(codec.modules, row, () => null) as unknown as Record<string, unknown>)[field];
  };
  return fields.map((field) => ({
    field,
    before: shown(previous, before, field),
    after: shown(nextRow, after, field),
  }));
}

/**
 * Compares a file with the stored tasks. `stored` is every task (prune) or at least those the
 * file names. Every task is checked with normalizeTask first: one bad task fails the whole plan
 * with a 400 naming it and the field, so apply never stores part of a bad file.
 */
export function planTasks(
  modules: TaskModules,
  file: TasksFile,
  stored: TaskRow[],
  options: { prune: boolean; defaultZone: string },
): { plan: Plan; writes: PlannedWrite[] } {
  const codec = codecOf(modules);
  const byKey = new Map(stored.map((row) => [row.nameKey, row]));
  const items: PlanItem[] = [];
  const writes: PlannedWrite[] = [];
  const errors: FieldError[] = [...file.errors];
  const named = new Set<string>();
  for (const { name, input } of file.tasks) {
    const key = taskNameKey(name.trim());
    named.add(key);
    const previous = byKey.get(key);
    let data: TaskWrite;
    try {
      data = normalizeTask(modules, input, options.defaultZone, previous);
    } catch (err) {
      if (err instanceof ApiError && err.details) {
        errors.push(...inTask(name, err.details));
        continue;
      }
      throw err;
    }
    if (!previous) {
      items.push({ name: data.name, action: "create", id: null, changes: [] });
      writes.push({ action: "create", name: data.name, data });
      continue;
    }
    const changes = diff(codec, previous, data);
    items.push({ name: data.name, action: changes.length > 0 ? "update" : "unchanged", id: previous.id, changes });
    if (changes.length > 0) writes.push({ action: "update", name: data.name, previous, data });
  }
  if (errors.length > 0) throw validationError(errors);
  if (options.prune) {
    for (const row of [...stored].sort(byName)) {
      if (named.has(row.nameKey)) continue;
      items.push({ name: row.name, action: "delete", id: row.id, changes: [] });
      writes.push({ action: "delete", name: row.name, previous: row });
    }
  }
  const summary = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const item of items) summary[item.action]++;
  return {
    plan: { fingerprint: fingerprint(file, stored, options.prune), prune: options.prune, summary, items },
    writes,
  };
}

/**
 * What a plan was made from: the file's bytes, prune, and the version (id, updatedAt) of each
 * stored task it looked at, or its absence. Any write to those tasks in between changes it, so
 * apply refuses a plan that is no longer true. Stored secrets never enter it.
 */
function fingerprint(file: TasksFile, stored: TaskRow[], prune: boolean): string {
  const byKey = new Map(stored.map((row) => [row.nameKey, row]));
  const looked = prune ? stored.map((row) => row.nameKey) : file.tasks.map((t) => taskNameKey(t.name.trim()));
  const base = [...new Set(looked)].sort().map((key) => {
    const row = byKey.get(key);
    return row ? [key, row.id, row.updatedAt.getTime()] : [key, null];
  });
  return createHash("sha256")
    .update(
      JSON.stringify({
        v: TASKS_FILE_VERSION,
        prune,
        file: createHash("sha256").update(file.text).digest("hex"),
        base,
      }),
    )
    .digest("hex");
}

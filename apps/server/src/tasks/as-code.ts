import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { DEPENDENCY_CONDITIONS, type DependencyCondition, MAX_DEPENDENCIES } from "@crondeck/core";
import { type TaskRow, taskNameKey } from "@crondeck/db";
import { isMap, parseDocument, stringify } from "yaml";
import { ApiError, type FieldError, validationError } from "../lib/errors.ts";
import { validatorCompiler } from "../lib/validator.ts";
import { type TaskInput, taskSchemas } from "../routes/api/tasks/schema.ts";
import type { TaskModules } from "./modules.ts";
import { normalizeTask, type TaskWrite } from "./normalize.ts";
import { type TaskRecord, toApiTask } from "./repository.ts";

// Tasks as code: one YAML file holds tasks keyed by name, with the API's task input fields. A plan
// compares the file with the stored tasks; apply writes exactly that plan. The same normalizeTask
// as the task routes decides what a task is, so a file can hold nothing the API would refuse.
//
// Secrets are never exported: write-only fields (notifyWebhookSecret) are left out, masked ones
// (credential header values, the robot token in a webhook URL) are written as *** (as every reader
// sees them), as their modules declare. In a file, a left-out write-only field and a *** value keep
// what is stored; a new task needs the real values.
//
// Dependencies are written by task NAME (`dependsOn: [{task: <name>, on: SUCCESS}]`), so a file
// means the same on another Crondeck; apply resolves the names, tasks the same file creates
// included, and the plan refuses a cycle in the graph the file would leave.

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

/** One upstream of a task in a file: the upstream's name and the outcome it waits for. */
export interface FileDependency {
  task: string;
  on: DependencyCondition;
}

/** A stored task as the file writes it: input fields only, nothing empty, secrets masked or left out. */
function fileEntry(codec: FileCodec, row: TaskRecord, names: Map<number, string>): Record<string, unknown> {
  const view = toApiTask(codec.modules, row, () => null) as unknown as Record<string, unknown>;
  const entry: Record<string, unknown> = {};
  for (const field of codec.fields) {
    let value = view[field];
    if (field === "dependsOn") value = fileDependsOn(row, names);
    if (field === "dependsOnAll" && value === false) continue;
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

/** A stored task's upstreams by name (`names`: task id → name), sorted as a file lists them. */
function fileDependsOn(row: TaskRecord, names: Map<number, string>): FileDependency[] {
  return (row.dependsOn ?? [])
    .map((ref) => ({ task: names.get(ref.taskId) ?? `#${ref.taskId}`, on: ref.on }))
    .sort((a, b) => byName({ name: a.task }, { name: b.task }));
}

/**
 * The YAML text of these tasks (with their upstreams loaded; `names` holds every upstream's name);
 * the same tasks always give the same bytes.
 */
export function exportTasks(modules: TaskModules, rows: TaskRecord[], names: Map<number, string>): string {
  const codec = codecOf(modules);
  const tasks: Record<string, unknown> = {};
  for (const row of [...rows].sort(byName)) tasks[row.name] = fileEntry(codec, row, names);
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
  /** Its upstreams by name, as the file gives them ([] when left out). */
  dependsOn: FileDependency[];
}

/** A file's `dependsOn` (by name): its shape checked here, the names by planTasks. */
function parseFileDependsOn(raw: unknown): { dependsOn: FileDependency[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (raw === undefined || raw === null) return { dependsOn: [], errors };
  if (!Array.isArray(raw)) {
    errors.push({
      field: "dependsOn",
      message: "must be a list of {task, on}",
      code: "TYPE",
      params: { type: "array" },
    });
    return { dependsOn: [], errors };
  }
  if (raw.length > MAX_DEPENDENCIES) {
    errors.push({
      field: "dependsOn",
      message: `must have at most ${MAX_DEPENDENCIES} items`,
      code: "MAX_ITEMS",
      params: { limit: MAX_DEPENDENCIES },
    });
  }
  const dependsOn: FileDependency[] = [];
  raw.forEach((item: unknown, i) => {
    const field = `dependsOn[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      errors.push({ field, message: "must be a map with task and on", code: "TYPE", params: { type: "object" } });
      return;
    }
    const { task, on = "SUCCESS", ...rest } = item as Record<string, unknown>;
    for (const key of Object.keys(rest))
      errors.push({ field: `${field}.${key}`, message: "is not a known field", code: "UNKNOWN_FIELD" });
    if (typeof task !== "string" || task.trim() === "")
      errors.push({ field: `${field}.task`, message: "is required: the upstream task's name", code: "REQUIRED" });
    if (!DEPENDENCY_CONDITIONS.includes(on as DependencyCondition)) {
      errors.push({
        field: `${field}.on`,
        message: `must be one of ${DEPENDENCY_CONDITIONS.join(", ")}`,
        code: "ONE_OF",
        params: { values: DEPENDENCY_CONDITIONS.join(", ") },
      });
    }
    if (typeof task === "string" && task.trim() !== "")
      dependsOn.push({ task: task.trim(), on: on as DependencyCondition });
  });
  return { dependsOn, errors };
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
    // Upstreams are named in a file, not given by id: checked apart from the API's input schema.
    const { dependsOn: rawDependsOn, ...rest } = fields as Record<string, unknown>;
    const input = { name, ...rest };
    const deps = parseFileDependsOn(rawDependsOn);
    const checked = checkInput(input);
    if (checked.error || deps.errors.length > 0) {
      errors.push(...inTask(name, [...(checked.error?.details ?? []), ...deps.errors]));
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
    out.push({ name, input: input as TaskInput, dependsOn: deps.dependsOn });
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
  | { action: "create"; name: string; data: TaskWrite; dependsOn?: FileDependency[] }
  | { action: "update"; name: string; previous: TaskRecord; data: TaskWrite; dependsOn?: FileDependency[] }
  | { action: "delete"; name: string; previous: TaskRecord };

/** A task's fields as stored (secrets included), by API field name: what a change is judged on. */
function storedFields(
  modules: TaskModules,
  row: Omit<TaskRow, "id" | "createdAt" | "updatedAt">,
): Record<string, unknown> {
  const { nameKey, modeSettings, notifySettings, searchText, nextRunAtMs, notifyKeywords, ...all } = row;
  // Upstreams are compared by name (planTasks), not by the ids a loaded row carries.
  const { dependsOn: _ids, ...columns } = all as typeof all & { dependsOn?: unknown };
  return { ...columns, notifyKeywords: JSON.parse(notifyKeywords), ...modules.stored(row) };
}

/**
 * The fields that differ between a stored task and what the file makes of it, shown as every
 * reader sees them: masked values stay masked, a write-only one reads *** when set.
 */
function diff(codec: FileCodec, previous: TaskRow, next: TaskWrite): FieldChange[] {
  const { modeText, dependsOn: _dependsOn, ...columns } = next;
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
  stored: TaskRecord[],
  options: { prune: boolean; defaultZone: string },
): { plan: Plan; writes: PlannedWrite[] } {
  const codec = codecOf(modules);
  const byKey = new Map(stored.map((row) => [row.nameKey, row]));
  const names = new Map(stored.map((row) => [row.id, row.name]));
  const items: PlanItem[] = [];
  const writes: PlannedWrite[] = [];
  const errors: FieldError[] = [...file.errors];
  const named = new Set<string>();
  const fileNames = new Map(file.tasks.map((t) => [taskNameKey(t.name.trim()), t.name.trim()]));
  for (const { name, input, dependsOn } of file.tasks) {
    const key = taskNameKey(name.trim());
    named.add(key);
    const previous = byKey.get(key);
    let data: TaskWrite;
    try {
      data = normalizeTask(modules, input, options.defaultZone, previous);
      // Set by name after the tasks are written (see the apply route), not by the repository.
      delete data.dependsOn;
    } catch (err) {
      if (err instanceof ApiError && err.details) {
        errors.push(...inTask(name, err.details));
        continue;
      }
      throw err;
    }
    const upstream = resolveDependsOn(dependsOn, key, fileNames, byKey);
    if (upstream.errors.length > 0) {
      errors.push(...inTask(name, upstream.errors));
      continue;
    }
    if (!previous) {
      items.push({ name: data.name, action: "create", id: null, changes: [] });
      writes.push({
        action: "create",
        name: data.name,
        data,
        ...(upstream.list.length > 0 ? { dependsOn: upstream.list } : {}),
      });
      continue;
    }
    const changes = diff(codec, previous, data);
    const before = fileDependsOn(previous, names);
    const dependsOnChanged = !isDeepStrictEqual(before, upstream.list);
    if (dependsOnChanged) changes.push({ field: "dependsOn", before, after: upstream.list });
    items.push({ name: data.name, action: changes.length > 0 ? "update" : "unchanged", id: previous.id, changes });
    if (changes.length > 0) {
      writes.push({
        action: "update",
        name: data.name,
        previous,
        data,
        ...(dependsOnChanged ? { dependsOn: upstream.list } : {}),
      });
    }
  }
  if (errors.length === 0) errors.push(...cycleIn(file, stored, options.prune));
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
 * A file task's upstreams, each named by a task of the file or a stored one, under the name it
 * will have (the file's spelling for a task of the file), sorted as an export lists them.
 */
function resolveDependsOn(
  dependsOn: FileDependency[],
  ownKey: string,
  fileNames: Map<string, string>,
  byKey: Map<string, TaskRow>,
): { list: FileDependency[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const list: FileDependency[] = [];
  const seen = new Set<string>();
  dependsOn.forEach((dep, i) => {
    const field = `dependsOn[${i}].task`;
    const key = taskNameKey(dep.task);
    const name = fileNames.get(key) ?? byKey.get(key)?.name;
    if (key === ownKey) errors.push({ field, message: "a task cannot depend on itself", code: "DEPENDS_ON_ITSELF" });
    else if (name === undefined)
      errors.push({
        field,
        message: `no task named ${JSON.stringify(dep.task)} is stored or in the file`,
        code: "UNKNOWN_TASK",
        params: { value: dep.task },
      });
    else if (seen.has(key))
      errors.push({
        field,
        message: `names ${JSON.stringify(dep.task)} a second time`,
        code: "DUPLICATE",
        params: { value: dep.task },
      });
    else {
      seen.add(key);
      list.push({ task: name, on: dep.on });
    }
  });
  list.sort((a, b) => byName({ name: a.task }, { name: b.task }));
  return { list, errors };
}

/**
 * A dependency cycle in the graph the file would leave (its tasks' upstreams replacing theirs,
 * pruned tasks gone), reported on one task of it with the path by name.
 */
function cycleIn(file: TasksFile, stored: TaskRecord[], prune: boolean): FieldError[] {
  const nameOf = new Map<string, string>();
  const upstreams = new Map<string, string[]>();
  const idKey = new Map(stored.map((row) => [row.id, row.nameKey]));
  for (const row of stored) {
    nameOf.set(row.nameKey, row.name);
    upstreams.set(
      row.nameKey,
      (row.dependsOn ?? []).flatMap((ref) => {
        const key = idKey.get(ref.taskId);
        return key ? [key] : [];
      }),
    );
  }
  const fileKeys = new Set<string>();
  for (const task of file.tasks) {
    const key = taskNameKey(task.name.trim());
    fileKeys.add(key);
    nameOf.set(key, task.name.trim());
    upstreams.set(
      key,
      task.dependsOn.map((dep) => taskNameKey(dep.task)),
    );
  }
  if (prune) for (const row of stored) if (!fileKeys.has(row.nameKey)) upstreams.delete(row.nameKey);
  // Depth-first over upstream edges; a node on the stack met again closes a cycle.
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (key: string): string[] | null => {
    if (state.get(key) === "done" || !upstreams.has(key)) return null;
    if (state.get(key) === "open") return stack.slice(stack.indexOf(key));
    state.set(key, "open");
    stack.push(key);
    for (const up of upstreams.get(key) ?? []) {
      const cycle = visit(up);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(key, "done");
    return null;
  };
  for (const key of fileKeys) {
    const cycle = visit(key);
    if (!cycle) continue;
    // The stack runs downstream → upstream; a path reads in the direction runs flow.
    const path = [...cycle].reverse().map((k) => nameOf.get(k) ?? k);
    const first = path[0] as string;
    const text = [...path, first].join(" → ");
    const owner = file.tasks.find((t) => cycle.includes(taskNameKey(t.name.trim())))?.name ?? first;
    return [
      {
        field: `tasks.${owner}.dependsOn`,
        message: `would make a dependency cycle: ${text}`,
        code: "DEPENDENCY_CYCLE",
        params: { path: text, task: owner },
      },
    ];
  }
  return [];
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

import type { Task } from "@crondeck/api-client";
import type { FormField } from "@crondeck/core";
import { findModule, type Meta, shownFields } from "../../../lib/meta.ts";
import { ENV_NAME_PATTERN, parseHeaders } from "./task-form.ts";

// "Run with parameters…": one manual run with variables over the task's environment and the fields
// its mode lets a run override. Which fields those are comes from GET /api/meta (a mode's
// runFields, shown as its form declares them), so nothing here knows a mode by name.

export interface EnvRow {
  name: string;
  value: string;
}

export interface RunParameterValues {
  env: EnvRow[];
  /** The text of each overridable field, as its form kind writes it (`keyValue`: `Key: Value` lines). */
  fields: Record<string, string>;
}

/** The task's mode fields a run may override and that apply to the task as saved (`showWhen` honoured). */
export function runParameterFields(task: Task, meta: Meta | undefined): FormField[] {
  const mode = findModule(meta?.modes, task.mode);
  const names = new Set(mode?.runFields ?? []);
  const source = task as unknown as Record<string, unknown>;
  return shownFields(mode, (name) => source[name]).filter((field) => names.has(field.name));
}

export type RunParameterProblem =
  | { at: "env"; row: number; key: "runParams.envName" | "runParams.envTwice" }
  | { at: "field"; field: string; key: "runParams.badLines"; lines: string };

/**
 * The body of POST /api/tasks/:id/run from the dialog's values, or the problems the server would
 * refuse anyway (named per row and field). Blank rows and empty fields are left out: an empty
 * override is no override.
 */
export function toRunParameters(
  values: RunParameterValues,
  fields: readonly FormField[],
): { body: Record<string, unknown>; problems: RunParameterProblem[] } {
  const problems: RunParameterProblem[] = [];
  const env: Record<string, string> = {};
  values.env.forEach((row, index) => {
    const name = row.name.trim();
    if (name === "" && row.value === "") return;
    if (!ENV_NAME_PATTERN.test(name) || name.startsWith("CRONDECK_"))
      problems.push({ at: "env", row: index, key: "runParams.envName" });
    else if (Object.hasOwn(env, name)) problems.push({ at: "env", row: index, key: "runParams.envTwice" });
    else env[name] = row.value;
  });
  const body: Record<string, unknown> = {};
  if (Object.keys(env).length > 0) body.env = env;
  for (const field of fields) {
    const text = values.fields[field.name] ?? "";
    if (text.trim() === "") continue;
    if (field.kind === "keyValue") {
      const parsed = parseHeaders(text);
      if (parsed.badLines.length > 0)
        problems.push({ at: "field", field: field.name, key: "runParams.badLines", lines: parsed.badLines.join(", ") });
      body[field.name] = parsed.headers;
    } else body[field.name] = text;
  }
  return { body, problems };
}

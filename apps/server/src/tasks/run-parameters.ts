import type { Fail, FieldError, Settings } from "@crondeck/core";
import type { TaskRow } from "@crondeck/db";
import { type TObject, type TSchema, Type } from "typebox";
import { validationError } from "../lib/errors.ts";
import type { TaskModules } from "./modules.ts";
import { checkEnv } from "./normalize.ts";

// "Run once with parameters": a manual run may overlay the task's environment and override the
// fields its mode declares (runOverrides). The run records them (Run.parameters), so every attempt
// of the fire, retries included, runs with the same; readers see them masked as the task's own.

/** What Run.parameters holds: what the run was given, and what readers see of it. */
/** What a manual run was given: variables over the task's environment, and fields its mode lets a run override. */
export interface RunParameters {
  env?: Record<string, string>;
  [field: string]: unknown;
}

export interface StoredRunParameters {
  given: RunParameters;
  view: RunParameters;
}

/** The body of POST /api/tasks/:id/run: `env` for every mode, plus the fields modes let a run override. */
export function runInputSchema(modules: TaskModules, env: TSchema): TObject {
  return Type.Object(
    {
      env: Type.Optional(
        Type.Unsafe<Record<string, string>>({
          ...env,
          description:
            "variables laid over the task's environment for this run (same rules as the task's env); values may reference secrets as ${secret:NAME}",
        }),
      ),
      ...modules.runFields(),
    },
    {
      additionalProperties: false,
      description:
        "optional: parameters of this run only. Which fields besides env a run may override depends on the task's mode (GET /api/meta, runFields); another mode's field is refused",
    },
  );
}

/**
 * Checks a run's parameters against its task; throws a 400 naming each bad field. Returns what the
 * run records (null when nothing was given) and the names given, for the audit log (never values).
 */
export function normalizeRunParameters(
  modules: TaskModules,
  task: Pick<TaskRow, "mode" | "modeSettings">,
  body: Settings | undefined | null,
): { stored: string | null; names: string[] } {
  const errors: FieldError[] = [];
  const fail: Fail = (field, message, code, params) =>
    errors.push({ field, message, ...(code ? { code } : {}), ...(params ? { params } : {}) });
  const { env = {}, ...fields } = (body ?? {}) as { env?: Record<string, string> } & Settings;
  checkEnv(env, fail);
  const { given, view } = modules.runOverrides(task, fields, fail);
  if (errors.length > 0) throw validationError(errors);

  const names = Object.keys(env).map((name) => `env.${name}`);
  for (const [field, value] of Object.entries(given)) {
    // A map (headers) names its keys; any other field names itself.
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      names.push(...Object.keys(value).map((key) => `${field}.${key}`));
    else names.push(field);
  }
  if (Object.keys(env).length === 0 && Object.keys(given).length === 0) return { stored: null, names: [] };
  const withEnv = (values: Settings): RunParameters =>
    Object.keys(env).length > 0 ? { env, ...values } : (values as RunParameters);
  const stored: StoredRunParameters = { given: withEnv(given), view: withEnv(view) };
  return { stored: JSON.stringify(stored), names };
}

/** A run's recorded parameters, or null when it was given none. */
export function parseRunParameters(stored: string | null): StoredRunParameters | null {
  return stored === null ? null : (JSON.parse(stored) as StoredRunParameters);
}

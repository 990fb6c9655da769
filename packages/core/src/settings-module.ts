import type { TSchema } from "typebox";
import type { Fail } from "./field-errors.ts";

// The contract shared by task modes (SHELL, HTTP, …) and notification channels (EMAIL, WEBHOOK, …):
// a module declares the task fields it owns, which of them are secret, how they are checked, and
// how the form shows them. The API, the store and the dashboard derive everything else from that,
// so nothing outside a module branches on its name. Runtime parts (how a mode runs, how a channel
// delivers) extend this in @crondeck/executor and @crondeck/notify.

export type Settings = Record<string, unknown>;

/** What a reader sees in place of a secret, and may send back to keep it. */
export const SECRET_MASK = "***";

/** Words a person reads, in both languages the product speaks. */
export interface Text {
  en: string;
  zh: string;
}

export type FormFieldKind = "text" | "code" | "textarea" | "select" | "keyValue" | "list" | "secret";

/** How the task form shows one field of a module. */
export interface FormField {
  /** The task field it edits (a key of the module's `fields`). */
  name: string;
  kind: FormFieldKind;
  label: Text;
  hint?: Text;
  placeholder?: string;
  /** `select`: the choices, in order. */
  options?: ReadonlyArray<{ value: string; label: Text }>;
  /** Shown only while another field of the module holds one of these values. */
  showWhen?: { field: string; values: readonly string[] };
  /** The form asks for a value before sending (the module checks it again on the server). */
  required?: boolean;
}

/**
 * A field no reader may see as stored.
 * - `writeOnly`: never returned; readers see `<field>Set: boolean`. Omitted on a write keeps the
 *   stored value; null or "" clears it.
 * - `masked`: returned with its secret parts replaced; the masked form sent back keeps the stored
 *   value, so an edit form can round-trip it.
 */
export type SecretRule =
  | {
      kind: "writeOnly";
      /**
       * The stored value belongs with another field's value (a signing secret with its URL): a check
       * that may send the secret elsewhere (a test message) uses it only while that field is unchanged.
       */
      boundTo?: { field: string; message: string };
    }
  | {
      kind: "masked";
      mask(value: unknown): unknown;
      /** The value to store for `given`, taking masked parts from `stored`; reports what it cannot complete. */
      restore(given: unknown, stored: unknown, fail: Fail): unknown;
      /** The secret strings inside a value, to scrub from error messages and logs. */
      reveal(value: unknown): string[];
    };

/**
 * The fields of a module that one run may override ("run once with parameters"): a manual run
 * records the overrides it was given and every attempt of that fire runs with them.
 */
export interface RunOverrides<S extends Settings = Settings> {
  /** The overridable fields, as a run's body takes them (TypeBox); each optional there. */
  readonly fields: { readonly [K in keyof S & string]?: TSchema };
  /**
   * Checks the given overrides against the task's stored settings (a body only where the task may
   * send one), reporting each problem by its field; returns what the run records.
   */
  normalize(given: Partial<S>, context: { fail: Fail; settings: S }): Partial<S>;
  /** The settings one attempt runs with: the task's, with the run's recorded overrides applied. */
  apply(settings: S, overrides: Partial<S>): S;
}

export interface SettingsModule<S extends Settings = Settings> {
  /** Stored on the task and sent over the wire: "SHELL", "EMAIL", … */
  readonly name: string;
  readonly label: Text;
  /**
   * The task fields it owns, as the API publishes them (TypeBox). Every field is optional in the
   * API's input; two modules may own a field of the same name (SHELL's and HTTP's `command`).
   */
  readonly fields: { readonly [K in keyof S & string]: TSchema };
  /** What each owned field reads as on a task that does not use the module. */
  readonly empty: S;
  readonly secrets?: { readonly [K in keyof S & string]?: SecretRule };
  /**
   * Checks the given fields (secrets already restored) and returns what to store, reporting each
   * problem through `fail`. `required`: whether the module is in use, so its required fields must be
   * there (a channel's fields may be given while the task does not notify).
   */
  normalize(given: Partial<S>, context: { fail: Fail; required: boolean }): S;
  readonly form: readonly FormField[];
}

/** The settings as every reader sees them: write-only fields reduced to `<field>Set`, masked ones masked. */
export function settingsView(module: SettingsModule, settings: Settings): Settings {
  const view: Settings = {};
  for (const field of Object.keys(module.fields)) {
    const value = field in settings ? settings[field] : module.empty[field];
    const rule = module.secrets?.[field];
    if (rule?.kind === "writeOnly") view[`${field}Set`] = value !== null && value !== undefined && value !== "";
    else view[field] = rule?.kind === "masked" ? rule.mask(value) : value;
  }
  return view;
}

/** The given fields with secrets taken from the stored settings where the client could not send them. */
export function restoreSecrets(
  module: SettingsModule,
  given: Settings,
  stored: Settings | undefined,
  fail: Fail,
  options: { bound?: boolean } = {},
): Settings {
  const out: Settings = { ...given };
  const rules = Object.entries(module.secrets ?? {});
  // Masked values first: a write-only value bound to one of them compares with the restored form.
  for (const [field, rule] of rules) {
    if (rule?.kind === "masked" && given[field] !== undefined)
      out[field] = rule.restore(given[field], stored?.[field], fail);
  }
  for (const [field, rule] of rules) {
    if (rule?.kind !== "writeOnly") continue;
    if (given[field] === "") out[field] = null;
    if (given[field] !== undefined) continue;
    const kept = stored?.[field] ?? module.empty[field];
    const bound = rule.boundTo;
    if (options.bound && bound && kept && out[bound.field] !== stored?.[bound.field]) {
      fail(field, bound.message, "SECRET_NEEDED");
      out[field] = null;
    } else out[field] = kept;
  }
  return out;
}

/** Every secret string held in the settings, to scrub from messages before they are stored or logged. */
export function secretValues(module: SettingsModule, settings: Settings): string[] {
  const out: string[] = [];
  for (const [field, rule] of Object.entries(module.secrets ?? {})) {
    const value = settings[field];
    if (!rule || value === null || value === undefined || value === "") continue;
    if (rule.kind === "writeOnly") out.push(String(value));
    else out.push(...rule.reveal(value));
  }
  return out;
}

/** A field "has a value" unless it equals what the module says it reads as when unused. */
export function isEmptyValue(value: unknown, empty: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string" && value === "") return empty === "" || empty === null;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return value === empty;
}

/** The modules of one kind (task modes, notification channels) a process knows, by name. */
export class ModuleRegistry<M extends { readonly name: string }> {
  readonly #modules = new Map<string, M>();

  /** `kind` names the modules in errors ("task mode", "notification channel"). */
  constructor(
    modules: readonly M[],
    readonly kind: string,
  ) {
    for (const module of modules) {
      if (this.#modules.has(module.name)) throw new Error(`${kind} ${module.name} is registered twice`);
      this.#modules.set(module.name, module);
    }
  }

  get(name: string): M | undefined {
    return this.#modules.get(name);
  }

  get names(): string[] {
    return [...this.#modules.keys()];
  }

  all(): M[] {
    return [...this.#modules.values()];
  }
}

import type { FormField, Text } from "@crondeck/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "./api-client.ts";
import type { Translate } from "./i18n/index.tsx";

// The task modes and notification channels the server knows (GET /api/meta), with the form fields
// each one owns. The dashboard shows and sends their fields from this alone, so it never needs to
// know a mode or channel by name: a new module on the server appears here without a dashboard change.

export interface ModuleMeta {
  name: string;
  label: Text;
  fields: FormField[];
  /** What each field holds when not set. */
  empty: Record<string, unknown>;
  /** Modes only: what the executor group means for this mode. */
  executorGroupHint?: Text;
  /** Modes only: the fields a manual run may override ("Run with parameters…"), shown as `fields` declares them. */
  runFields?: string[];
}

export interface Meta {
  modes: ModuleMeta[];
  channels: ModuleMeta[];
}

// The last answer, for code that words things outside React (lib/api-errors.ts names module fields).
let known: Meta | null = null;

/** Remembers meta for `metaField`; the query does it, tests without the query call it themselves. */
export function rememberMeta(meta: Meta | null): void {
  known = meta;
}

/** The modules are constant for the life of the server: fetched once per visit. */
export function useMeta() {
  return useQuery({
    queryKey: ["meta"],
    queryFn: async ({ signal }) => {
      const meta = await api.get<Meta>("/api/meta", undefined, signal);
      rememberMeta(meta);
      return meta;
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** A module text in the reader's language (`t` knows it: "lang.code" is "en" or "zh"). */
export function textIn(text: Text, t: Translate): string {
  return t("lang.code") === "zh" ? text.zh : text.en;
}

export function findModule(modules: readonly ModuleMeta[] | undefined, name: string | null): ModuleMeta | undefined {
  return name === null ? undefined : modules?.find((module) => module.name === name);
}

/** A mode's or channel's label; the raw name for one the server no longer knows (old runs may name it). */
export function moduleLabel(modules: readonly ModuleMeta[] | undefined, name: string, t: Translate): string {
  const module = findModule(modules, name);
  return module ? textIn(module.label, t) : name;
}

/** The module's fields that apply to these values (`showWhen` honoured), in the module's order. */
export function shownFields(module: ModuleMeta | undefined, read: (field: string) => unknown): FormField[] {
  if (!module) return [];
  return module.fields.filter((field) => {
    if (!field.showWhen) return true;
    const value = read(field.showWhen.field);
    return field.showWhen.values.includes(value === null || value === undefined ? "" : String(value));
  });
}

/** Task fields that are write-only (a `secret` field): the API returns `<field>Set` instead. */
export function isWriteOnly(field: FormField): boolean {
  return field.kind === "secret";
}

/** A module field by its task field name, in any known mode or channel (the first declaring it). */
export function metaField(name: string, meta: Meta | null = known): FormField | undefined {
  if (!meta) return undefined;
  for (const module of [...meta.modes, ...meta.channels]) {
    const field = module.fields.find((f) => f.name === name);
    if (field) return field;
  }
  return undefined;
}

/** "mode"/"notifyChannel" values and a module select's values, as the form labels them. */
export function metaValueLabel(field: string, value: string, t: Translate, meta: Meta | null = known): string | null {
  if (!meta) return null;
  if (field === "mode") return findModule(meta.modes, value) ? moduleLabel(meta.modes, value, t) : null;
  if (field === "notifyChannel") return findModule(meta.channels, value) ? moduleLabel(meta.channels, value, t) : null;
  const option = metaField(field, meta)?.options?.find((o) => o.value === value);
  return option ? textIn(option.label, t) : null;
}

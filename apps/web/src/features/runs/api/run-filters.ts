import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from "@crondeck/core";
import type { RunFilters, TaskOption } from "./runs-list-api.ts";

// The runs page keeps its filters in the URL (so a filtered list can be bookmarked and shared):
// these read them back, dropping anything the API would refuse.

const PAGE_SIZES = [10, 20, 50, 100];

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function instant(value: string | null): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function filtersFromSearch(params: URLSearchParams): RunFilters {
  const status = params.get("status");
  const trigger = params.get("trigger");
  const pageSize = positiveInt(params.get("pageSize"));
  const filters: RunFilters = {
    page: positiveInt(params.get("page")) ?? 1,
    pageSize: pageSize && PAGE_SIZES.includes(pageSize) ? pageSize : 20,
  };
  const taskId = positiveInt(params.get("taskId"));
  if (taskId) filters.taskId = taskId;
  if (status && (RUN_STATUSES as readonly string[]).includes(status)) filters.status = status as RunStatus;
  if (trigger && (RUN_TRIGGERS as readonly string[]).includes(trigger)) filters.trigger = trigger as RunTrigger;
  const from = instant(params.get("from"));
  const to = instant(params.get("to"));
  if (params.get("notifyFailed") === "true") filters.notifyFailed = true;
  if (from) filters.from = from;
  // An empty range would be refused: keep `to` only when it is after `from`.
  if (to && (!from || Date.parse(to) > Date.parse(from))) filters.to = to;
  return filters;
}

/** An ISO instant as a `datetime-local` input shows it: the viewer's wall time, to the minute. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` (or `date`) input's value, read in the viewer's zone, as an ISO instant. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const ms = new Date(value.length === 10 ? `${value}T00:00` : value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** `yyyy-mm-dd` of the day `days` ago in the viewer's zone (a `date` input's value). */
export function daysAgoInput(days: number, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface Choice {
  value: string | number;
  label: string;
}

/** The tasks to choose from by name; a chosen task not among them (beyond the first 200) by `unknown(id)`. */
export function taskChoices(
  tasks: TaskOption[],
  selected: number | undefined,
  unknown: (id: number) => string,
): Choice[] {
  const choices = tasks.map((task) => ({ value: task.id, label: task.name }));
  return selected && !tasks.some((task) => task.id === selected)
    ? [{ value: selected, label: unknown(selected) }, ...choices]
    : choices;
}

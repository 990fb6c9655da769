import type { Page, Run, RunStatus, RunTrigger } from "@crondeck/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

/** A row of the global runs list: the run (without output) and its task's name. */
export interface RunListItem extends Omit<Run, "output"> {
  taskName: string;
  notificationsSent: number;
  /** Notifications of this run that could not be delivered. */
  notificationsFailed: number;
}

/** The filters of GET /api/runs, as the page keeps them in its URL. */
export interface RunFilters {
  page: number;
  pageSize: number;
  taskId?: number;
  status?: RunStatus;
  trigger?: RunTrigger;
  /** ISO instants: scheduled at or after `from`, before `to`. */
  from?: string;
  to?: string;
  /** Only runs with a notification that could not be delivered. */
  notifyFailed?: true;
}

export interface CleanupInput {
  before: string;
  taskId?: number;
}

export interface CleanupResult {
  runs: number;
  dryRun: boolean;
  keptSince: string;
}

export const runListKeys = {
  all: ["runs"] as const,
  list: (filters: RunFilters) => ["runs", "list", filters] as const,
  cleanupPreview: (input: CleanupInput) => ["runs", "cleanup-preview", input] as const,
  taskOptions: ["runs", "task-options"] as const,
};

const ACTIVE: readonly RunStatus[] = ["QUEUED", "RUNNING"];

export function useRunList(filters: RunFilters) {
  return useQuery({
    queryKey: runListKeys.list(filters),
    queryFn: ({ signal }) => api.get<Page<RunListItem>>("/api/runs", { ...filters }, signal),
    placeholderData: keepPreviousData,
    // A page with runs still going changes soon; otherwise new runs appear on a slower beat.
    refetchInterval: (query) => (query.state.data?.items.some((r) => ACTIVE.includes(r.status)) ? 3000 : 15_000),
  });
}

export interface TaskOption {
  id: number;
  name: string;
}

/** Task names for the task filter (the first 200 by name; a task beyond them still filters by id). */
export function useTaskOptions() {
  return useQuery({
    queryKey: runListKeys.taskOptions,
    queryFn: async ({ signal }) => {
      const page = await api.get<Page<TaskOption>>("/api/tasks", { pageSize: 200, sort: "name", order: "asc" }, signal);
      return page.items.map(({ id, name }) => ({ id, name }));
    },
    staleTime: 60_000,
  });
}

/** How many runs a cleanup would delete (a dry run), while the dialog is open. */
export function useCleanupPreview(input: CleanupInput | null) {
  return useQuery({
    queryKey: runListKeys.cleanupPreview(input ?? { before: "" }),
    queryFn: () => api.post<CleanupResult>("/api/runs/cleanup", { ...input, dryRun: true }),
    enabled: input !== null,
    gcTime: 0,
  });
}

export function useCleanupRuns() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CleanupInput) => api.post<CleanupResult>("/api/runs/cleanup", input),
    onSuccess: () => client.invalidateQueries({ queryKey: runListKeys.all }),
  });
}

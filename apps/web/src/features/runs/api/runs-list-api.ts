import type { RunCleanupInput, RunCleanupResult, RunListQuery, RunPage, TaskPage } from "@crondeck/api-client";
import type { RunStatus } from "@crondeck/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export type { RunListItem } from "@crondeck/api-client";

/** The filters of GET /api/runs, as the page keeps them in its URL. */
export type RunFilters = Omit<RunListQuery, "page" | "pageSize" | "executor"> & { page: number; pageSize: number };

export const runListKeys = {
  all: ["runs"] as const,
  list: (filters: RunFilters) => ["runs", "list", filters] as const,
  cleanupPreview: (input: RunCleanupInput) => ["runs", "cleanup-preview", input] as const,
  taskOptions: ["runs", "task-options"] as const,
};

const ACTIVE: readonly RunStatus[] = ["QUEUED", "RUNNING"];

export function useRunList(filters: RunFilters) {
  return useQuery({
    queryKey: runListKeys.list(filters),
    queryFn: ({ signal }) => api.get<RunPage>("/api/runs", { ...filters }, signal),
    placeholderData: keepPreviousData,
    // A page with runs still going changes soon; otherwise new runs appear on a slower beat.
    refetchInterval: (query) => (query.state.data?.items.some((r) => ACTIVE.includes(r.status)) ? 3000 : 15_000),
  });
}

export type TaskOption = Pick<TaskPage["items"][number], "id" | "name">;

/** Task names for the task filter (the first 200 by name; a task beyond them still filters by id). */
export function useTaskOptions() {
  return useQuery({
    queryKey: runListKeys.taskOptions,
    queryFn: async ({ signal }) => {
      const page = await api.get<TaskPage>("/api/tasks", { pageSize: 200, sort: "name", order: "asc" }, signal);
      return page.items.map(({ id, name }) => ({ id, name }));
    },
    staleTime: 60_000,
  });
}

/** How many runs a cleanup would delete (a dry run), while the dialog is open. */
export function useCleanupPreview(input: RunCleanupInput | null) {
  return useQuery({
    queryKey: runListKeys.cleanupPreview(input ?? { before: "" }),
    queryFn: () => api.post<RunCleanupResult>("/api/runs/cleanup", { ...input, dryRun: true }),
    enabled: input !== null,
    gcTime: 0,
  });
}

export function useCleanupRuns() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: RunCleanupInput) => api.post<RunCleanupResult>("/api/runs/cleanup", input),
    onSuccess: () => client.invalidateQueries({ queryKey: runListKeys.all }),
  });
}

import type { Page, Task } from "@crondeck/api-client";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import { taskKeys } from "./tasks-api.ts";

// A task's edit history (GET /api/tasks/:id/versions …): its saved versions, what each changed,
// and revert.

export type VersionAction = "create" | "update" | "revert" | "import" | "bulk";

export interface TaskVersionSummary {
  version: number;
  createdAt: string;
  action: VersionAction;
  actor: { userId: number | null; name: string; via: "session" | "token" | null; tokenId: number | null };
  changedFields: string[];
}

/** One changed field; a write-only secret has `secret` and no values. */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  secret?: boolean;
}

export const versionKeys = {
  all: (id: number) => ["tasks", "versions", id] as const,
  list: (id: number, page: number, pageSize: number, updatedAt: string) =>
    ["tasks", "versions", id, "list", updatedAt, page, pageSize] as const,
  diff: (id: number, version: number) => ["tasks", "versions", id, "diff", version] as const,
};

/** `updatedAt`: the task's, so the history is read again whenever the task is seen changed. */
export function useTaskVersions(id: number, page: number, pageSize: number, updatedAt: string) {
  return useQuery({
    queryKey: versionKeys.list(id, page, pageSize, updatedAt),
    queryFn: ({ signal }) => api.get<Page<TaskVersionSummary>>(`/api/tasks/${id}/versions`, { page, pageSize }, signal),
    placeholderData: keepPreviousData,
  });
}

/** What `version` changed from the one before it. */
export function useVersionDiff(id: number, version: number | null) {
  return useQuery({
    queryKey: versionKeys.diff(id, version ?? 0),
    queryFn: ({ signal }) => api.get<FieldChange[]>(`/api/tasks/${id}/versions/${version}/diff`, undefined, signal),
    enabled: version !== null,
  });
}

/** Restores a version; the task, its history and the lists are read again. */
export function useRevertTask(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (version: number) =>
      api.post<{ version: number | null; task: Task }>(`/api/tasks/${id}/versions/${version}/revert`),
    onSuccess: ({ task }) => {
      client.setQueryData(taskKeys.detail(id), task);
      void client.invalidateQueries({ queryKey: versionKeys.all(id) });
      return client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

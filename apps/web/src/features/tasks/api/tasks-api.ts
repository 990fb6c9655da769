import type {
  BulkAction,
  BulkResult,
  CronPreview,
  NotificationTestResult,
  ResponseBody,
  RunPage,
  RunStarted,
  Task,
  TaskPage,
  TaskSort,
} from "@crondeck/api-client";
import type { RunStatus, TaskMode } from "@crondeck/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export type { BulkAction, BulkItemResult, TaskSort } from "@crondeck/api-client";

/** A list row: the task plus a glance at its latest run (`lastRun`). */
export type TaskListItem = Task;

/** The list's filters as the page keeps them in its URL ("" for none). */
export interface TaskListParams {
  page: number;
  pageSize: number;
  q?: string;
  mode?: TaskMode | "";
  enabled?: "true" | "false" | "";
  /** Tasks with every one of these tags (ignoring case). */
  tag?: string[];
  /** Tasks of exactly this owner. */
  owner?: string;
  sort?: TaskSort;
  order?: "asc" | "desc";
}

export interface RunListParams {
  page: number;
  pageSize: number;
  status?: RunStatus | "";
}

/** A task on the other end of a dependency, by name (GET /api/tasks/:id/dependencies). */
export type TaskDependencies = ResponseBody<"getTaskDependencies">;
export type DependencyItem = TaskDependencies["upstream"][number];

export const taskKeys = {
  all: ["tasks"] as const,
  lists: () => ["tasks", "list"] as const,
  list: (params: TaskListParams) => ["tasks", "list", params] as const,
  detail: (id: number) => ["tasks", "detail", id] as const,
  dependencies: (id: number) => ["tasks", "dependencies", id] as const,
  runs: (id: number, params?: RunListParams) =>
    params ? (["tasks", "runs", id, params] as const) : (["tasks", "runs", id] as const),
};

const ACTIVE: readonly RunStatus[] = ["QUEUED", "RUNNING"];

export function useTasks(params: TaskListParams) {
  return useQuery({
    queryKey: taskKeys.list(params),
    queryFn: ({ signal }) => api.get<TaskPage>("/api/tasks", { ...params }, signal),
    placeholderData: keepPreviousData,
    // A row whose last run is still going changes soon: look again.
    refetchInterval: (query) =>
      query.state.data?.items.some((task) => task.lastRun && ACTIVE.includes(task.lastRun.status)) ? 3000 : 30_000,
  });
}

export interface TagCount {
  tag: string;
  count: number;
}

/** The tags in use with how many tasks have each, for the list's tag filter. */
export function useTagCounts() {
  return useQuery({
    queryKey: [...taskKeys.all, "tags"] as const,
    queryFn: ({ signal }) => api.get<TagCount[]>("/api/tags", undefined, signal),
    staleTime: 30_000,
  });
}

export function useTask(id: number) {
  return useQuery({
    queryKey: taskKeys.detail(id),
    queryFn: ({ signal }) => api.get<Task>(`/api/tasks/${id}`, undefined, signal),
  });
}

export function useTaskDependencies(id: number | undefined) {
  return useQuery({
    queryKey: taskKeys.dependencies(id ?? 0),
    queryFn: ({ signal }) => api.get<TaskDependencies>(`/api/tasks/${id}/dependencies`, undefined, signal),
    enabled: id !== undefined,
  });
}

/** Tasks whose name (or command, remark) holds `q`, for picking upstream tasks; nothing when blank. */
export function useTaskSearch(q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: ["tasks", "search", query] as const,
    queryFn: ({ signal }) => api.get<TaskPage>("/api/tasks", { page: 1, pageSize: 8, q: query, sort: "name" }, signal),
    enabled: query.length > 0,
  });
}

export function useTaskRuns(id: number, params: RunListParams) {
  return useQuery({
    queryKey: taskKeys.runs(id, params),
    queryFn: ({ signal }) => api.get<RunPage>(`/api/tasks/${id}/runs`, { ...params }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((run) => ACTIVE.includes(run.status)) ? 2000 : 15_000),
  });
}

export function useSaveTask(id: number | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      id === null ? api.post<Task>("/api/tasks", input) : api.put<Task>(`/api/tasks/${id}`, input),
    onSuccess: (task) => {
      client.setQueryData(taskKeys.detail(task.id), task);
      // Its upstreams may have changed, and with them other tasks' downstream lists.
      void client.invalidateQueries({ queryKey: ["tasks", "dependencies"] });
      return client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

type ListSnapshot = [readonly unknown[], TaskPage | undefined][];

/**
 * Enable/disable, shown at once in every cached list and the detail; put back if the server says
 * no. A disabled task has no next run, so that is cleared optimistically too.
 */
export function useSetTaskEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: number; enabled: boolean }) => api.patch<Task>(`/api/tasks/${id}`, { enabled }),
    onMutate: async ({ id, enabled }) => {
      await client.cancelQueries({ queryKey: taskKeys.all });
      const lists: ListSnapshot = client.getQueriesData<TaskPage>({ queryKey: taskKeys.lists() });
      const detail = client.getQueryData<Task>(taskKeys.detail(id));
      const patch = (task: Task): Task => ({ ...task, enabled, nextRunAt: enabled ? task.nextRunAt : null });
      for (const [key, page] of lists) {
        if (!page) continue;
        client.setQueryData(key, { ...page, items: page.items.map((t) => (t.id === id ? patch(t) : t)) });
      }
      if (detail) client.setQueryData(taskKeys.detail(id), patch(detail));
      return { lists, detail };
    },
    onError: (_error, { id }, snapshot) => {
      for (const [key, page] of snapshot?.lists ?? []) client.setQueryData(key, page);
      if (snapshot?.detail) client.setQueryData(taskKeys.detail(id), snapshot.detail);
    },
    onSuccess: (task) => {
      client.setQueryData(taskKeys.detail(task.id), task);
    },
    onSettled: () => client.invalidateQueries({ queryKey: taskKeys.lists() }),
  });
}

export function useDeleteTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api/tasks/${id}`),
    onSuccess: (_data, id) => {
      client.removeQueries({ queryKey: taskKeys.detail(id) });
      return client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

export function useRunTaskNow() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<RunStarted>(`/api/tasks/${id}/run`),
    onSuccess: (_data, id) => {
      void client.invalidateQueries({ queryKey: taskKeys.runs(id) });
      void client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

/** A manual run with parameters of its own (see run-parameters.ts): env and the mode's overridable fields. */
export function useRunTaskWithParameters() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, parameters }: { id: number; parameters: Record<string, unknown> }) =>
      api.post<{ runId: number }>(`/api/tasks/${id}/run`, parameters),
    onSuccess: (_data, { id }) => {
      void client.invalidateQueries({ queryKey: taskKeys.runs(id) });
      void client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

/** The cron helper: description in `locale` and the next five fires, or the parse error. */
export function useCronPreview(cron: string, timezone: string, locale: "en" | "zh_CN") {
  const trimmed = cron.trim();
  return useQuery({
    queryKey: ["cron-preview", trimmed, timezone, locale],
    queryFn: () =>
      api.post<CronPreview>("/api/cron/preview", { cron: trimmed, timezone: timezone.trim() || undefined }, { locale }),
    enabled: trimmed.length > 0,
    retry: false,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useNotificationTest() {
  return useMutation({
    mutationFn: (input: Record<string, unknown>) => api.post<NotificationTestResult>("/api/notifications/test", input),
  });
}

/** A disabled copy of the task (secrets copied on the server); the caller opens it. */
export function useCopyTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Task>(`/api/tasks/${id}/copy`),
    onSuccess: (task) => {
      client.setQueryData(taskKeys.detail(task.id), task);
      return client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

/** One request for the whole selection; each id gets its own result, so partial failures show. */
export function useBulkTaskAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { action: BulkAction; ids: number[]; tag?: string }) =>
      api.post<BulkResult>("/api/tasks/bulk", input),
    onSuccess: ({ action, results }) => {
      for (const { id, ok } of results) {
        if (!ok) continue;
        if (action === "delete") client.removeQueries({ queryKey: taskKeys.detail(id) });
        else void client.invalidateQueries({ queryKey: taskKeys.detail(id) });
        if (action === "run") void client.invalidateQueries({ queryKey: taskKeys.runs(id) });
      }
      if (action === "addTag" || action === "removeTag")
        void client.invalidateQueries({ queryKey: [...taskKeys.all, "tags"] });
      return client.invalidateQueries({ queryKey: taskKeys.lists() });
    },
  });
}

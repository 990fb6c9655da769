import type { RequestBody, TasksPlan } from "@crondeck/api-client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, apiUrl } from "../../../lib/api-client.ts";
import { taskKeys } from "./tasks-api.ts";

// Tasks as code: the YAML export is a download the browser fetches itself (the session cookie
// goes along); plan and apply go through the API like every other write.

export type { PlanAction, TasksPlan } from "@crondeck/api-client";

/** Where the YAML of all tasks, or of these ids, is downloaded from. */
export function tasksExportUrl(ids?: readonly number[]): string {
  return apiUrl("/api/tasks/export", ids && ids.length > 0 ? { ids: ids.join(",") } : undefined);
}

export function usePlanTasks() {
  return useMutation({
    mutationFn: (input: RequestBody<"planTasks">) => api.post<TasksPlan>("/api/tasks/plan", input),
  });
}

export function useApplyTasks() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: RequestBody<"applyTasks">) => api.post<TasksPlan>("/api/tasks/apply", input),
    onSuccess: () => client.invalidateQueries({ queryKey: taskKeys.all }),
  });
}

export const planHasChanges = (plan: TasksPlan) => plan.summary.create + plan.summary.update + plan.summary.delete > 0;

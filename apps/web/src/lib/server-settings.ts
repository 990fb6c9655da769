import { useQuery } from "@tanstack/react-query";
import { api } from "./api-client.ts";

export interface ServerSettings {
  /** The zone the API gives a task created without one (the server's TZ). */
  timezone: string;
  /** How much of a run's output is stored; a longer output keeps its head and tail. */
  outputLimitBytes?: number;
  /** The language of notifications of tasks that name none (NOTIFY_LANGUAGE). */
  notifyLanguage?: "zh" | "en";
}

/** Server settings rarely change while a page is open: fetched once per visit. */
export function useServerSettings() {
  return useQuery({
    queryKey: ["settings"],
    queryFn: ({ signal }) => api.get<ServerSettings>("/api/settings", undefined, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

import type { ServerSettings } from "@crondeck/api-client";
import { useQuery } from "@tanstack/react-query";
import { api } from "./api-client.ts";

export type { ServerSettings } from "@crondeck/api-client";

/** Server settings rarely change while a page is open: fetched once per visit. */
export function useServerSettings() {
  return useQuery({
    queryKey: ["settings"],
    queryFn: ({ signal }) => api.get<ServerSettings>("/api/settings", undefined, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

import type { AuditQuery, ResponseBody } from "@crondeck/api-client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

/** One audit entry; `before`/`after` are JSON text with secrets already masked by the server. */
export type { AuditEntry } from "@crondeck/api-client";

/** The page's query: page and size always set. */
export type AuditParams = AuditQuery & { page: number; pageSize: number };

export function useAudit(params: AuditParams) {
  return useQuery({
    queryKey: ["audit", params],
    queryFn: ({ signal }) => api.get<ResponseBody<"listAuditEntries">>("/api/audit", { ...params }, signal),
    placeholderData: keepPreviousData,
  });
}

import type { AuditEntry, Page } from "@crondeck/api-client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

/** One audit entry; `before`/`after` are JSON text with secrets already masked by the server. */
export type { AuditEntry } from "@crondeck/api-client";

export interface AuditParams {
  page: number;
  pageSize: number;
  taskId?: number;
}

export function useAudit(params: AuditParams) {
  return useQuery({
    queryKey: ["audit", params],
    queryFn: ({ signal }) => api.get<Page<AuditEntry>>("/api/audit", { ...params }, signal),
    placeholderData: keepPreviousData,
  });
}

import type { Page } from "@crondeck/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

/** One audit entry; `before`/`after` are JSON text with secrets already masked by the server. */
export interface AuditEntry {
  id: number;
  at: string;
  actorId?: number | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: number | null;
  taskId: number | null;
  before: string | null;
  after: string | null;
  ip: string | null;
  /** How the actor signed in; null for events without a signed-in actor (a failed sign-in). */
  via?: "session" | "token" | null;
  tokenId?: number | null;
}

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

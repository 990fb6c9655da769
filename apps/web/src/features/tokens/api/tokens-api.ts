import type { ApiToken, CreatedToken, NewToken } from "@crondeck/api-client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export type { ApiToken, CreatedToken, NewToken } from "@crondeck/api-client";

export type TokenState = "active" | "expired" | "revoked";

export function tokenState(token: ApiToken, now = Date.now()): TokenState {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return "expired";
  return "active";
}

const tokensKey = ["tokens"] as const;

export function useTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: ({ signal }) => api.get<ApiToken[]>("/api/tokens", undefined, signal),
  });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: NewToken) => api.post<CreatedToken>("/api/tokens", input),
    // The answer holds the secret: forget the finished mutation at once rather than after 5 min.
    gcTime: 0,
    // Only the listed fields go into the cache; the secret stays with the one dialog showing it.
    onSuccess: () => client.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api/tokens/${id}`),
    onSettled: () => client.invalidateQueries({ queryKey: tokensKey }),
  });
}

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";
import type { Role } from "../../../lib/permissions.ts";

/** An API token as listed: never the secret itself, only its first characters. */
export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  userId: number;
  username: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

/** The answer to creating a token: the only time `token` is ever sent. */
export interface CreatedToken extends ApiToken {
  token: string;
}

export interface NewToken {
  name: string;
  role?: Role;
  expiresInDays?: number;
}

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

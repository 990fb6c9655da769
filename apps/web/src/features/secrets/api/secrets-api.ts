import type { RequestBody, ResponseBody, Secret } from "@crondeck/api-client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../../../lib/api-client.ts";

export type { Secret } from "@crondeck/api-client";

/** The server's rules, checked before sending so the common mistakes are caught at once. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SECRET_NAME_MAX = 64;
/** Shorter values could not be told apart from ordinary output, so the server cannot mask them. */
export const SECRET_VALUE_MIN = 4;

/** How a task refers to a secret; the server puts the value in at run time. */
export function secretReference(name: string): string {
  return `\${secret:${name}}`;
}

/** The server has no SECRETS_KEY: every secrets call is refused with this code. */
export function secretsDisabled(error: unknown): boolean {
  return error instanceof ApiError && error.code === "SECRETS_DISABLED";
}

const secretsKey = ["secrets"] as const;

export function useSecrets() {
  return useQuery({
    queryKey: secretsKey,
    queryFn: ({ signal }) =>
      api.get<ResponseBody<"listSecrets">>("/api/secrets", undefined, signal).then((r) => r.items),
    // As the app's default (lib providers), and a server without a key stays without one until
    // restarted: asking again cannot help.
    retry: (failures, error) =>
      failures < 2 &&
      !secretsDisabled(error) &&
      !(error instanceof ApiError && error.status >= 400 && error.status < 500),
  });
}

// Values go out in the request only: mutations are forgotten at once (gcTime 0), so no finished
// mutation keeps a value in memory, and the answers hold no value anyway.

export function useCreateSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: RequestBody<"createSecret">) => api.post<Secret>("/api/secrets", input),
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: secretsKey }),
  });
}

export function useReplaceSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, value }: { name: string; value: string }) =>
      api.put<Secret>(`/api/secrets/${encodeURIComponent(name)}`, { value }),
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: secretsKey }),
  });
}

export function useDeleteSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.delete(`/api/secrets/${encodeURIComponent(name)}`),
    onSettled: () => client.invalidateQueries({ queryKey: secretsKey }),
  });
}

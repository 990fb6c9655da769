import type { NewUser, User, UserChange } from "@crondeck/api-client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export type { NewUser, User, UserChange } from "@crondeck/api-client";

/** The server's rules, checked before sending so the common mistakes are caught at once. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]+$/;
export { MIN_PASSWORD_LENGTH } from "../../../lib/passwords.ts";

const usersKey = ["users"] as const;

export function useUsers() {
  return useQuery({
    queryKey: usersKey,
    queryFn: ({ signal }) => api.get<User[]>("/api/users", undefined, signal),
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: NewUser) => api.post<User>("/api/users", input),
    onSuccess: () => client.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: UserChange }) => api.patch<User>(`/api/users/${id}`, change),
    onSuccess: (user) => {
      client.setQueryData<User[]>(usersKey, (old) => old?.map((u) => (u.id === user.id ? user : u)));
    },
    onSettled: () => client.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useDeleteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api/users/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: usersKey }),
  });
}

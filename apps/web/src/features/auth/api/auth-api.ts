import type { Me, PasswordChanged } from "@crondeck/api-client";
import { ApiError, apiRequest, setCsrfToken } from "../../../lib/api-client.ts";
import { isRole } from "../../../lib/permissions.ts";

/** GET /api/auth/me and POST /api/auth/login answer with Me. */
export type { Me, PasswordChanged } from "@crondeck/api-client";

function remember(me: Me): Me {
  if (!isRole(me.user.role)) throw new ApiError(500, `unknown role ${String(me.user.role)}`);
  setCsrfToken(me.csrfToken ?? null);
  return me;
}

/** Signs in with the session cookie; keeps the CSRF token in memory. Throws ApiError 401/429. */
export async function signIn(username: string, password: string): Promise<Me> {
  return remember(await apiRequest<Me>("POST", "/api/auth/login", { body: { username, password }, authProbe: true }));
}

/** Who is signed in, or null when nobody is (401). Network and server errors are thrown. */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return remember(await apiRequest<Me>("GET", "/api/auth/me", { signal, authProbe: true }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

/** Changes the signed-in user's own password; this session stays, the others and all API tokens end. */
export function changePassword(currentPassword: string, newPassword: string): Promise<PasswordChanged> {
  return apiRequest<PasswordChanged>("POST", "/api/auth/password", { body: { currentPassword, newPassword } });
}

/** Ends the session on the server. A session that already ended is fine. */
export async function signOut(): Promise<void> {
  try {
    await apiRequest<void>("POST", "/api/auth/logout", { authProbe: true });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  } finally {
    setCsrfToken(null);
  }
}

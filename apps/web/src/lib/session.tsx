import type { Me } from "@crondeck/api-client";
import { createContext, type ReactNode, useContext } from "react";
import { type Action, can } from "./permissions.ts";

// Who is signed in, shared with every feature. The auth feature fills it in; other features only
// read it (to hide what the role cannot do), so they never import the auth feature itself.

/** The signed-in user as GET /api/auth/me gives it. */
export type SessionUser = Me["user"];

export interface Session {
  user: SessionUser;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session | null; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The signed-in user, or null outside a session (the login page, tests without one). */
export function useSession(): Session | null {
  return useContext(SessionContext);
}

/** Whether the signed-in user may do `action`; false without a session. */
export function useCan(action: Action): boolean {
  return can(useContext(SessionContext)?.user.role, action);
}

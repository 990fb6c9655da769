import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { ErrorState } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { setAuthFailureHandler } from "../../../lib/api-client.ts";
import { clearAllDrafts } from "../../../lib/drafts.ts";
import { navigate, useLocation } from "../../../lib/router.tsx";
import { type Session, SessionProvider, type SessionUser } from "../../../lib/session.tsx";
import { fetchMe, type Me, signOut } from "../api/auth-api.ts";
import { LOGIN_PATH, loginPath, safeNextPath } from "../api/next-path.ts";
import { LoginPage } from "./LoginPage.tsx";

type AuthState =
  | { status: "checking" }
  | { status: "signedIn"; user: SessionUser }
  /** `expired`: a session was lost while using the app (not a fresh visit or a sign-out). */
  | { status: "signedOut"; expired: boolean }
  | { status: "unreachable"; error: unknown };

const sameUser = (a: SessionUser, b: SessionUser) => a.id === b.id && a.username === b.username && a.role === b.role;

/**
 * Renders the app only inside a session. At start-up it asks /api/auth/me; any 401 later (the
 * session expired or was ended elsewhere) swaps the app for the login page, keeping the address
 * so that signing in returns there. A 403 keeps the session but asks /me again, since an admin
 * may have changed this user's role.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const { pathname, search } = useLocation();
  const [state, setState] = useState<AuthState>({ status: "checking" });
  const [attempt, setAttempt] = useState(0);

  const applyMe = useCallback((me: Me | null, expired: boolean) => {
    setState((prev) => {
      if (!me) return prev.status === "signedOut" ? prev : { status: "signedOut", expired };
      if (prev.status === "signedIn" && sameUser(prev.user, me.user)) return prev;
      return { status: "signedIn", user: me.user };
    });
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger itself
  useEffect(() => {
    const controller = new AbortController();
    fetchMe(controller.signal).then(
      (me) => applyMe(me, false),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: "unreachable", error });
      },
    );
    return () => controller.abort();
  }, [applyMe, attempt]);

  useEffect(() => {
    setAuthFailureHandler((status) => {
      if (status === 401) applyMe(null, true);
      else
        fetchMe().then(
          (me) => applyMe(me, true),
          () => {},
        );
    });
    return () => setAuthFailureHandler(null);
  }, [applyMe]);

  // The next user of this browser must not see what the last one loaded.
  useEffect(() => {
    if (state.status === "signedOut") client.clear();
  }, [state.status, client]);

  const signedOut = state.status === "signedOut";
  const signedIn = state.status === "signedIn";
  const onLoginPage = pathname === LOGIN_PATH;
  const next = new URLSearchParams(search).get("next");
  useEffect(() => {
    if (signedOut && !onLoginPage) navigate(loginPath(`${pathname}${search}`), { replace: true, force: true });
    if (signedIn && onLoginPage) navigate(safeNextPath(next), { replace: true });
  }, [signedOut, signedIn, onLoginPage, pathname, search, next]);

  const user = state.status === "signedIn" ? state.user : null;
  const session = useMemo<Session | null>(
    () =>
      user && {
        user,
        signOut: () => {
          signOut()
            .catch(() => {})
            .finally(() => {
              // Signing out on purpose leaves nothing typed behind for the next user of this tab.
              clearAllDrafts();
              navigate(LOGIN_PATH, { replace: true, force: true });
              setState({ status: "signedOut", expired: false });
            });
        },
      },
    [user],
  );

  if (state.status === "unreachable")
    return (
      <main className="login-screen" id="main">
        <ErrorState
          error={state.error}
          onRetry={() => {
            setState({ status: "checking" });
            setAttempt((n) => n + 1);
          }}
        />
      </main>
    );
  if (state.status === "signedOut")
    return (
      <LoginPage
        expired={state.expired}
        onSignedIn={(me) => {
          navigate(safeNextPath(next), { replace: true });
          setState({ status: "signedIn", user: me.user });
        }}
      />
    );
  if (!session || onLoginPage)
    return (
      <div className="login-screen">
        <Spinner />
      </div>
    );
  return <SessionProvider session={session}>{children}</SessionProvider>;
}

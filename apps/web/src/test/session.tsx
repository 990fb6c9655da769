import type { ReactNode } from "react";
import { AppProviders } from "../app/providers.tsx";
import type { Lang } from "../lib/i18n/index.tsx";
import type { Role } from "../lib/permissions.ts";
import { type Session, SessionProvider } from "../lib/session.tsx";

/** A signed-in session for component tests; sign-out only counts its calls. */
export function sessionAs(role: Role, username = `${role}-user`, id = 7): Session & { signOuts: number } {
  const session = {
    user: { id, username, role },
    signOuts: 0,
    signOut: () => {
      session.signOuts++;
    },
  };
  return session;
}

/** The app's providers with a user of role `signedInAs` signed in. */
export function AsRole({ signedInAs, lang = "en", children }: { signedInAs: Role; lang?: Lang; children: ReactNode }) {
  return (
    <AppProviders lang={lang}>
      <SessionProvider session={sessionAs(signedInAs)}>{children}</SessionProvider>
    </AppProviders>
  );
}

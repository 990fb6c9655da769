import { LanguageSwitch } from "../../../components/LanguageSwitch.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import type { Me } from "../api/auth-api.ts";
import { LoginForm } from "./LoginForm.tsx";

/** The whole screen while signed out: brand, a notice when a session just ended, the form. */
export function LoginPage({ onSignedIn, expired }: { onSignedIn: (me: Me) => void; expired?: boolean }) {
  const { t } = useI18n();
  usePageTitle(t("login.title"));
  return (
    <main className="login-screen" id="main">
      <div className="login-card">
        <div className="login-brand">
          <svg viewBox="0 0 16 16" width="32" height="32" aria-hidden="true">
            <circle cx="8" cy="8" r="7" className="brand-ring" />
            <path d="M8 4v4l3 2" className="brand-hand" />
          </svg>
          <span className="login-brand-name">{t("app.name")}</span>
        </div>
        <h1>{t("login.title")}</h1>
        <p className="muted">{t("login.subtitle")}</p>
        {expired ? (
          <p className="notice" role="status" data-testid="session-expired">
            {t("login.expired")}
          </p>
        ) : null}
        <LoginForm onSignedIn={onSignedIn} />
      </div>
      <LanguageSwitch className="lang-switch lang-switch-light" />
    </main>
  );
}

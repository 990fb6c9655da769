import { type ReactNode, useEffect, useRef } from "react";
import { LanguageSwitch } from "../components/LanguageSwitch.tsx";
import { UserMenu } from "../features/auth/components/UserMenu.tsx";
import { useI18n } from "../lib/i18n/index.tsx";
import { Link, useLocation } from "../lib/router.tsx";
import { useCan } from "../lib/session.tsx";

function NavLink({ to, children, exact }: { to: string; children: ReactNode; exact?: boolean }) {
  const { pathname } = useLocation();
  const active = exact ? pathname === to : pathname === to || pathname.startsWith(`${to}/`);
  return (
    <Link to={to} className="nav-link" aria-current={active ? "page" : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const manageUsers = useCan("users.manage");
  const readAudit = useCan("audit.read");
  const manageSecrets = useCan("secrets.manage");

  // After an in-app navigation, start keyboard and screen-reader users at the new page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new pathname is the trigger itself
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <aside className="sidebar">
        <Link to="/" className="brand">
          <svg viewBox="0 0 16 16" width="22" height="22" aria-hidden="true">
            <circle cx="8" cy="8" r="7" className="brand-ring" />
            <path d="M8 4v4l3 2" className="brand-hand" />
          </svg>
          <span>
            <span className="brand-name">{t("app.name")}</span>
            <span className="brand-tagline">{t("app.tagline")}</span>
          </span>
        </Link>
        <nav aria-label={t("nav.main")}>
          <NavLink to="/" exact>
            {t("nav.overview")}
          </NavLink>
          <NavLink to="/tasks">{t("nav.tasks")}</NavLink>
          <NavLink to="/runs">{t("nav.runs")}</NavLink>
          {manageUsers ? <NavLink to="/users">{t("nav.users")}</NavLink> : null}
          <NavLink to="/tokens">{t("nav.tokens")}</NavLink>
          {manageSecrets ? <NavLink to="/secrets">{t("nav.secrets")}</NavLink> : null}
          {readAudit ? <NavLink to="/audit">{t("nav.audit")}</NavLink> : null}
        </nav>
        <div className="sidebar-footer">
          <LanguageSwitch />
        </div>
      </aside>
      <div className="content">
        <header className="topbar">
          <UserMenu />
        </header>
        <main id="main" ref={main} tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

import type { ReactNode } from "react";
import { ButtonLink } from "../components/Button.tsx";
import { EmptyState } from "../components/EmptyState.tsx";
import { Forbidden } from "../components/Forbidden.tsx";
import { AuditPage } from "../features/audit/components/AuditPage.tsx";
import { AccountPage } from "../features/auth/components/AccountPage.tsx";
import { AuthGate } from "../features/auth/components/AuthGate.tsx";
import { OverviewPage } from "../features/overview/components/OverviewPage.tsx";
import { RunPage } from "../features/runs/components/RunPage.tsx";
import { RunsPage } from "../features/runs/components/RunsPage.tsx";
import { SecretsPage } from "../features/secrets/components/SecretsPage.tsx";
import { TaskDetailPage } from "../features/tasks/components/TaskDetailPage.tsx";
import { TaskCreatePage, TaskEditPage } from "../features/tasks/components/TaskFormPage.tsx";
import { TasksListPage } from "../features/tasks/components/TasksListPage.tsx";
import { TokensPage } from "../features/tokens/components/TokensPage.tsx";
import { UsersPage } from "../features/users/components/UsersPage.tsx";
import { useI18n } from "../lib/i18n/index.tsx";
import { type Action, can, neededRole } from "../lib/permissions.ts";
import { matchPath, useLocation } from "../lib/router.tsx";
import { useSession } from "../lib/session.tsx";
import { Layout } from "./Layout.tsx";

type Params = Record<string, string>;

/** `need`: the page is for roles that may do this; others see why not instead of a failed load. */
const routes: { path: string; need?: Action; render: (params: Params) => ReactNode | null }[] = [
  { path: "/", render: () => <OverviewPage /> },
  { path: "/tasks", render: () => <TasksListPage /> },
  { path: "/tasks/new", need: "task.write", render: () => <TaskCreatePage /> },
  { path: "/tasks/:id", render: (p) => withId(p, (id) => <TaskDetailPage key={id} id={id} />) },
  {
    path: "/tasks/:id/edit",
    need: "task.write",
    render: (p) => withId(p, (id) => <TaskEditPage key={id} id={id} />),
  },
  { path: "/runs", render: () => <RunsPage /> },
  { path: "/runs/:id", render: (p) => withId(p, (id) => <RunPage key={id} id={id} />) },
  { path: "/users", need: "users.manage", render: () => <UsersPage /> },
  { path: "/tokens", render: () => <TokensPage /> },
  { path: "/secrets", need: "secrets.manage", render: () => <SecretsPage /> },
  { path: "/account", render: () => <AccountPage /> },
  { path: "/audit", need: "audit.read", render: () => <AuditPage /> },
];

/** Ids are positive integers; anything else is a page that does not exist. */
function withId(params: Params, render: (id: number) => ReactNode): ReactNode | null {
  const id = Number(params.id);
  return Number.isSafeInteger(id) && id > 0 ? render(id) : null;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="page">
      <EmptyState title={t("notFound.title")}>
        <p>{t("notFound.body")}</p>
        <ButtonLink to="/" variant="primary">
          {t("notFound.home")}
        </ButtonLink>
      </EmptyState>
    </div>
  );
}

function Routes() {
  const { pathname } = useLocation();
  const role = useSession()?.user.role;
  let page: ReactNode | null = null;
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) {
      page = route.need && !can(role, route.need) ? <Forbidden need={neededRole(route.need)} /> : route.render(params);
      break;
    }
  }
  return <Layout>{page ?? <NotFound />}</Layout>;
}

export function App() {
  return (
    <AuthGate>
      <Routes />
    </AuthGate>
  );
}

import type { RunStatus } from "@crondeck/core";
import type { ReactNode } from "react";
import { DateTime } from "../../../components/DateTime.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { ErrorState } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { isMessageKey, useI18n } from "../../../lib/i18n/index.tsx";
import { Link } from "../../../lib/router.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { type ExecutorInfo, type Stats, useStats, useTaskSummary } from "../api/stats-api.ts";
import { StackedBarChart } from "./StackedBarChart.tsx";

const FAILED: readonly RunStatus[] = ["FAILED", "TIMED_OUT", "LOST"];

export function OverviewPage() {
  const { t } = useI18n();
  const stats = useStats();
  usePageTitle(t("overview.title"));
  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("overview.title")}</h1>
      </header>
      {stats.isPending ? (
        <Spinner />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => stats.refetch()} />
      ) : (
        <OverviewContent stats={stats.data} />
      )}
    </div>
  );
}

function OverviewContent({ stats: fromServer }: { stats: Stats }) {
  const { t } = useI18n();
  const summary = useTaskSummary(!fromServer.tasks || !fromServer.upcoming);
  const stats: Stats = {
    ...fromServer,
    tasks: fromServer.tasks ?? summary.data?.tasks,
    upcoming: fromServer.upcoming ?? summary.data?.upcoming,
  };
  const byStatus = stats.runsByStatus24h;
  const runs24h = byStatus ? Object.values(byStatus).reduce((a, b) => a + (b ?? 0), 0) : undefined;
  const failed24h = byStatus ? FAILED.reduce((a, s) => a + (byStatus[s] ?? 0), 0) : undefined;

  return (
    <>
      <div className="stat-cards">
        <StatCard label={t("overview.tasks")} value={stats.tasks?.total} testId="stat-tasks">
          {stats.tasks ? t("overview.tasksEnabled", { enabled: stats.tasks.enabled }) : null}
        </StatCard>
        <StatCard label={t("overview.runs24h")} value={runs24h} testId="stat-runs" />
        <StatCard
          label={t("overview.failed24h")}
          value={failed24h}
          tone={failed24h ? "danger" : undefined}
          testId="stat-failed"
        />
      </div>

      <div className="grid-2">
        <section className="card">
          {stats.runsByHour24h ? (
            <StackedBarChart
              title={t("overview.byHour")}
              buckets={stats.runsByHour24h}
              unit="hour"
              testId="chart-24h"
            />
          ) : (
            <Unavailable title={t("overview.byHour")} />
          )}
        </section>
        <section className="card">
          {stats.runsByDay7d ? (
            <StackedBarChart title={t("overview.byDay")} buckets={stats.runsByDay7d} unit="day" testId="chart-7d" />
          ) : (
            <Unavailable title={t("overview.byDay")} />
          )}
        </section>
      </div>

      <div className="grid-2">
        <section className="card" aria-labelledby="upcoming-title" data-testid="upcoming">
          <h2 id="upcoming-title">{t("overview.upcoming")}</h2>
          {!stats.upcoming ? (
            <p className="muted">{t("overview.unavailable")}</p>
          ) : stats.upcoming.length === 0 ? (
            <EmptyState title={t("overview.noUpcoming")} />
          ) : (
            <ul className="plain-list">
              {stats.upcoming.map((u) => (
                <li key={`${u.taskId}-${u.nextRunAt}`}>
                  <Link to={`/tasks/${u.taskId}`}>{u.name}</Link>
                  <DateTime value={u.nextRunAt} />
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="failing-title" data-testid="failing">
          <h2 id="failing-title">{t("overview.failing")}</h2>
          {!stats.failingTasks ? (
            <p className="muted">{t("overview.unavailable")}</p>
          ) : stats.failingTasks.length === 0 ? (
            <EmptyState title={t("overview.noFailing")} />
          ) : (
            <ul className="plain-list">
              {stats.failingTasks.map((f) => (
                <li key={f.id}>
                  <span className="list-main">
                    <Link to={`/tasks/${f.id}`} className="text-danger">
                      {f.name}
                    </Link>
                    {f.status ? <StatusBadge status={f.status} /> : null}
                  </span>
                  <DateTime value={f.lastRunAt} />
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="executors-title" data-testid="executors">
        <h2 id="executors-title">{t("overview.executors")}</h2>
        <Executors executors={stats.executors} />
      </section>
    </>
  );
}

function StatCard({
  label,
  value,
  tone,
  testId,
  children,
}: {
  label: string;
  value: number | undefined;
  tone?: "danger";
  testId?: string;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className={`stat-card${tone ? ` stat-${tone}` : ""}`} data-testid={testId}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value ?? t("common.none")}</span>
      {children ? <span className="stat-sub">{children}</span> : null}
    </div>
  );
}

function Unavailable({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <p className="muted">{t("overview.unavailable")}</p>
    </figure>
  );
}

function Executors({ executors }: { executors: ExecutorInfo[] | undefined }) {
  const { t } = useI18n();
  if (!executors) return <p className="muted">{t("overview.unavailable")}</p>;
  if (executors.length === 0) return <EmptyState title={t("overview.noExecutors")} />;
  const columns: Column<ExecutorInfo>[] = [
    { key: "name", header: t("executors.col.name"), cell: (e) => <code className="mono">{e.name ?? e.host}</code> },
    { key: "host", header: t("executors.col.host"), cell: (e) => e.host },
    {
      key: "groups",
      header: t("executors.col.groups"),
      cell: (e) => (e.groups ?? []).map((g) => (g === "*" ? t("executors.allGroups") : g)).join(", "),
    },
    {
      key: "mode",
      header: t("executors.col.mode"),
      cell: (e) => {
        const key = `executors.mode.${e.mode}`;
        return isMessageKey(key) ? t(key) : e.mode;
      },
    },
    { key: "running", header: t("executors.col.running"), cell: (e) => e.running ?? t("common.none") },
    { key: "lastSeen", header: t("executors.col.lastSeen"), cell: (e) => <DateTime value={e.lastSeenAt} /> },
    {
      key: "state",
      header: t("executors.col.state"),
      cell: (e) =>
        e.alive === false ? (
          <span className="badge badge-muted">{t("executors.gone")}</span>
        ) : (
          <span className="badge badge-success">{t("executors.alive")}</span>
        ),
    },
  ];
  return (
    <Table
      columns={columns}
      rows={executors}
      rowKey={(e) => e.name ?? e.host ?? ""}
      caption={t("overview.executors")}
      testId="executors-table"
    />
  );
}

import { RUN_STATUSES, RUN_TRIGGERS } from "@crondeck/core";
import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { ErrorState, InlineAlert } from "../../../components/ErrorState.tsx";
import { Pagination } from "../../../components/Pagination.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { formatDuration } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { Link, useSearchParams } from "../../../lib/router.tsx";
import { useCan } from "../../../lib/session.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { filtersFromSearch, fromLocalInput, toLocalInput } from "../api/run-filters.ts";
import { type RunListItem, useRunList, useTaskOptions } from "../api/runs-list-api.ts";
import { CleanupDialog } from "./CleanupDialog.tsx";

/** Every run across tasks, newest first, filtered by task, status, trigger and time (kept in the URL). */
export function RunsPage() {
  const { t } = useI18n();
  usePageTitle(t("runs.title"));
  const [params, update] = useSearchParams();
  const filters = filtersFromSearch(params);
  const runs = useRunList(filters);
  const tasks = useTaskOptions();
  const canCleanup = useCan("runs.cleanup");
  const [cleaning, setCleaning] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const filtered = Boolean(filters.taskId || filters.status || filters.trigger || filters.from || filters.to);

  const taskOptions = tasks.data ?? [];
  const unknownTask = filters.taskId && !taskOptions.some((task) => task.id === filters.taskId);

  const columns: Column<RunListItem>[] = [
    {
      key: "id",
      header: t("runs.col.run"),
      cell: (run) => (
        <Link to={`/runs/${run.id}`} data-testid="run-link">
          {t("runs.view", { id: run.id })}
        </Link>
      ),
    },
    {
      key: "task",
      header: t("runs.col.task"),
      cell: (run) => (
        <Link to={`/tasks/${run.taskId}`} className="break">
          {run.taskName}
        </Link>
      ),
    },
    { key: "status", header: t("runs.col.status"), cell: (run) => <StatusBadge status={run.status} /> },
    { key: "trigger", header: t("runs.col.trigger"), cell: (run) => t(`trigger.${run.trigger}`) },
    { key: "attempt", header: t("runs.col.attempt"), cell: (run) => run.attempt },
    { key: "scheduled", header: t("runs.col.scheduled"), cell: (run) => <DateTime value={run.scheduledAt} /> },
    { key: "duration", header: t("runs.col.duration"), cell: (run) => formatDuration(run.durationMs, t) },
    {
      key: "executor",
      header: t("runs.col.executor"),
      cell: (run) => (run.executor ? <span className="mono break">{run.executor}</span> : t("common.none")),
    },
  ];

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("runs.title")}</h1>
        {canCleanup ? (
          <div className="header-actions">
            <Button variant="danger" onClick={() => setCleaning(true)} data-testid="cleanup-open">
              {t("runs.cleanup.open")}
            </Button>
          </div>
        ) : null}
      </header>

      <search className="toolbar" aria-label={t("runs.filters")}>
        <label className="toolbar-field">
          <span>{t("runs.filterTask")}</span>
          <select
            aria-label={t("runs.filterTask")}
            value={filters.taskId ?? ""}
            onChange={(e) => update({ taskId: e.target.value, page: null })}
            data-testid="filter-task"
          >
            <option value="">{t("common.all")}</option>
            {unknownTask ? (
              <option value={filters.taskId}>{t("run.taskLink", { id: filters.taskId ?? 0 })}</option>
            ) : null}
            {taskOptions.map((task) => (
              <option key={task.id} value={task.id}>
                {task.name}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t("runs.filterStatus")}</span>
          <select
            aria-label={t("runs.filterStatus")}
            value={filters.status ?? ""}
            onChange={(e) => update({ status: e.target.value, page: null })}
          >
            <option value="">{t("common.all")}</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t("runs.filterTrigger")}</span>
          <select
            aria-label={t("runs.filterTrigger")}
            value={filters.trigger ?? ""}
            onChange={(e) => update({ trigger: e.target.value, page: null })}
          >
            <option value="">{t("common.all")}</option>
            {RUN_TRIGGERS.map((tr) => (
              <option key={tr} value={tr}>
                {t(`trigger.${tr}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t("runs.filterFrom")}</span>
          <input
            type="datetime-local"
            value={toLocalInput(filters.from)}
            onChange={(e) => update({ from: fromLocalInput(e.target.value), page: null })}
            data-testid="filter-from"
          />
        </label>
        <label className="toolbar-field">
          <span>{t("runs.filterTo")}</span>
          <input
            type="datetime-local"
            value={toLocalInput(filters.to)}
            onChange={(e) => update({ to: fromLocalInput(e.target.value), page: null })}
            data-testid="filter-to"
          />
        </label>
        {filtered ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => update({ taskId: null, status: null, trigger: null, from: null, to: null, page: null })}
          >
            {t("runs.clearFilters")}
          </Button>
        ) : null}
      </search>

      {outcome ? <InlineAlert tone="success">{outcome}</InlineAlert> : null}

      {runs.isPending ? (
        <Spinner />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => runs.refetch()} />
      ) : runs.data.items.length === 0 ? (
        <EmptyState title={filtered ? t("runs.noneMatch") : t("runs.none")} />
      ) : (
        <>
          <Table
            columns={columns}
            rows={runs.data.items}
            rowKey={(run) => run.id}
            caption={t("runs.title")}
            testId="all-runs-table"
          />
          <Pagination
            page={runs.data.page}
            pageSize={runs.data.pageSize}
            total={runs.data.total}
            onPage={(page) => update({ page: String(page) })}
            onPageSize={(size) => update({ pageSize: String(size), page: null })}
          />
        </>
      )}

      {cleaning ? (
        <CleanupDialog
          tasks={taskOptions}
          initialTaskId={filters.taskId}
          onClose={() => setCleaning(false)}
          onDone={(deleted) => {
            setCleaning(false);
            setOutcome(t("runs.cleanup.done", { count: deleted }));
          }}
        />
      ) : null}
    </div>
  );
}

import { RUN_STATUSES, RUN_TRIGGERS } from "@crondeck/core";
import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { InlineAlert } from "../../../components/ErrorState.tsx";
import { PagedTable } from "../../../components/PagedTable.tsx";
import { runColumns } from "../../../components/run-columns.tsx";
import type { Column } from "../../../components/Table.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { Link, useSearchParams } from "../../../lib/router.tsx";
import { useCan } from "../../../lib/session.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { type Choice, filtersFromSearch, fromLocalInput, taskChoices, toLocalInput } from "../api/run-filters.ts";
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
  const filtered = Boolean(
    filters.taskId || filters.status || filters.trigger || filters.from || filters.to || filters.notifyFailed,
  );

  const taskOptions = tasks.data ?? [];

  const col = runColumns<RunListItem>(t);
  const columns: Column<RunListItem>[] = [
    col.id,
    {
      key: "task",
      header: t("runs.col.task"),
      cell: (run) => (
        <Link to={`/tasks/${run.taskId}`} className="break">
          {run.taskName}
        </Link>
      ),
    },
    {
      ...col.status,
      cell: (run) => (
        <>
          {col.status.cell(run)}
          {run.notificationsFailed > 0 ? (
            <span className="badge badge-danger notify-failed" data-testid="notify-failed">
              {t("runs.notifyFailedBadge", { count: run.notificationsFailed })}
            </span>
          ) : null}
        </>
      ),
    },
    col.trigger,
    col.attempt,
    col.scheduled,
    col.duration,
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
        <FilterSelect
          label={t("runs.filterTask")}
          value={filters.taskId ?? ""}
          options={taskChoices(taskOptions, filters.taskId, (id) => t("run.taskLink", { id }))}
          onChange={(taskId) => update({ taskId, page: null })}
          testId="filter-task"
        />
        <FilterSelect
          label={t("runs.filterStatus")}
          value={filters.status ?? ""}
          options={RUN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          onChange={(status) => update({ status, page: null })}
        />
        <FilterSelect
          label={t("runs.filterTrigger")}
          value={filters.trigger ?? ""}
          options={RUN_TRIGGERS.map((tr) => ({ value: tr, label: t(`trigger.${tr}`) }))}
          onChange={(trigger) => update({ trigger, page: null })}
        />
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
        <label className="toolbar-field checkbox-inline">
          <input
            type="checkbox"
            checked={filters.notifyFailed === true}
            onChange={(e) => update({ notifyFailed: e.target.checked ? "true" : null, page: null })}
          />
          {t("runs.filterNotifyFailed")}
        </label>
        {filtered ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() =>
              update({
                taskId: null,
                status: null,
                trigger: null,
                from: null,
                to: null,
                notifyFailed: null,
                page: null,
              })
            }
          >
            {t("runs.clearFilters")}
          </Button>
        ) : null}
      </search>

      {outcome ? <InlineAlert tone="success">{outcome}</InlineAlert> : null}

      <PagedTable
        query={runs}
        columns={columns}
        rowKey={(run) => run.id}
        caption={t("runs.title")}
        testId="all-runs-table"
        empty={filtered ? t("runs.noneMatch") : t("runs.none")}
        onPage={(page) => update({ page: String(page) })}
        onPageSize={(size) => update({ pageSize: String(size), page: null })}
      />

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

/** A toolbar filter: "All" first, then the choices; choosing "All" clears it. */
function FilterSelect({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: string | number;
  options: Choice[];
  onChange: (value: string) => void;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <label className="toolbar-field">
      <span>{label}</span>
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">{t("common.all")}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

import type { RunListItem, Task } from "@crondeck/api-client";
import { type FormField, formatList, RUN_STATUSES, type RunStatus } from "@crondeck/core";
import { type ReactNode, useState } from "react";
import { Button, ButtonLink } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { ErrorState, errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { PagedTable } from "../../../components/PagedTable.tsx";
import { runColumns } from "../../../components/run-columns.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { Switch } from "../../../components/Switch.tsx";
import type { Column } from "../../../components/Table.tsx";
import { type Translate, useI18n } from "../../../lib/i18n/index.tsx";
import { findModule, moduleLabel, shownFields, textIn, useMeta } from "../../../lib/meta.ts";
import { Link, navigate } from "../../../lib/router.tsx";
import { useCan } from "../../../lib/session.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { takeSaved } from "../api/saved-flash.ts";
import { formatEnv, formatHeaders, taskEnv } from "../api/task-form.ts";
import {
  type DependencyItem,
  useCopyTask,
  useDeleteTask,
  useRunTaskNow,
  useSetTaskEnabled,
  useTask,
  useTaskDependencies,
  useTaskRuns,
} from "../api/tasks-api.ts";
import { RunWithParametersDialog } from "./RunWithParametersDialog.tsx";
import { TagChips } from "./TagChips.tsx";
import { TaskVersionHistory } from "./TaskVersionHistory.tsx";

export function TaskDetailPage({ id }: { id: number }) {
  const { t } = useI18n();
  const task = useTask(id);
  usePageTitle(task.data?.name);
  const setEnabled = useSetTaskEnabled();
  const runNow = useRunTaskNow();
  const remove = useDeleteTask();
  const copy = useCopyTask();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [runWithParameters, setRunWithParameters] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  // Read once on arrival from the form: "Saved" confirms the edit that brought the user here.
  const [saved] = useState(() => takeSaved(id));
  const canRun = useCan("task.run");
  const canToggle = useCan("task.toggle");
  const canWrite = useCan("task.write");
  const canAudit = useCan("audit.read");

  if (task.isPending) return <Spinner />;
  if (task.isError)
    return (
      <div className="page">
        <ErrorState error={task.error} onRetry={() => task.refetch()} />
      </div>
    );
  const data = task.data;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <Link to="/tasks" className="back-link">
            ← {t("nav.tasks")}
          </Link>
          <h1 data-testid="task-title">{data.name}</h1>
        </div>
        <div className="header-actions">
          <Switch
            checked={data.enabled}
            label={t("tasks.toggleFor", { name: data.name })}
            testId="task-enabled"
            disabled={!canToggle}
            onChange={(enabled) =>
              setEnabled.mutate(
                { id, enabled },
                {
                  onError: (error) =>
                    setActionError(t("tasks.toggleFailed", { name: data.name, message: errorMessage(error, t) })),
                },
              )
            }
          />
          {canRun ? (
            <Button
              variant="primary"
              busy={runNow.isPending}
              onClick={() =>
                runNow.mutate(id, {
                  onSuccess: ({ runId }) => navigate(`/runs/${runId}`),
                  onError: (error) =>
                    setActionError(t("tasks.runFailed", { name: data.name, message: errorMessage(error, t) })),
                })
              }
            >
              {t("tasks.runNow")}
            </Button>
          ) : null}
          {canRun ? (
            <Button onClick={() => setRunWithParameters(true)} data-testid="run-with-params">
              {t("tasks.runWithParams")}
            </Button>
          ) : null}
          {canWrite ? (
            <>
              <ButtonLink to={`/tasks/${id}/edit`}>{t("common.edit")}</ButtonLink>
              <Button
                busy={copy.isPending}
                onClick={() =>
                  copy.mutate(id, {
                    onSuccess: (made) => navigate(`/tasks/${made.id}`),
                    onError: (error) =>
                      setActionError(t("tasks.copyFailed", { name: data.name, message: errorMessage(error, t) })),
                  })
                }
              >
                {t("tasks.copy")}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  remove.reset();
                  setConfirmDelete(true);
                }}
              >
                {t("common.delete")}
              </Button>
            </>
          ) : null}
          {canAudit ? (
            <ButtonLink to={`/audit?taskId=${id}`} variant="ghost">
              {t("detail.audit")}
            </ButtonLink>
          ) : null}
        </div>
      </header>
      {actionError ? <InlineAlert>{actionError}</InlineAlert> : null}
      {saved?.warnings.map((w) => (
        <InlineAlert key={w.code} tone="warning">
          {t(`taskWarning.${w.code}`, w.params)}
        </InlineAlert>
      ))}
      {saved ? (
        <InlineAlert tone="success">{saved.created ? t("tasks.createdNotice") : t("tasks.savedNotice")}</InlineAlert>
      ) : null}

      <TaskSettings task={data} />
      <TaskDependenciesCard task={data} />
      <TaskRunHistory task={data} />
      <TaskVersionHistory task={data} />

      {runWithParameters ? (
        <RunWithParametersDialog
          task={data}
          onClose={() => setRunWithParameters(false)}
          onStarted={(runId) => navigate(`/runs/${runId}`)}
        />
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title={t("tasks.deleteTitle")}
          body={t("tasks.deleteBody", { name: data.name })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={remove.isError ? t("tasks.deleteFailed", { message: errorMessage(remove.error, t) }) : undefined}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => remove.mutate(id, { onSuccess: () => navigate("/tasks", { replace: true }) })}
        />
      ) : null}
    </div>
  );
}

/** A mode's or channel's field as the task page shows it, by its kind; null leaves the row out. */
function moduleValue(field: FormField, task: Record<string, unknown>, t: Translate): ReactNode {
  const value = task[field.name];
  const code = (text: string) => <code className="mono pre-wrap">{text}</code>;
  switch (field.kind) {
    case "secret":
      return task[`${field.name}Set`] ? t("detail.secretSet") : t("detail.secretNotSet");
    case "keyValue": {
      const lines = formatHeaders((value ?? {}) as Record<string, string>);
      return lines ? code(lines) : t("detail.none");
    }
    case "list":
      return Array.isArray(value) && value.length > 0 ? formatList(value.map(String)) : t("detail.none");
    case "select": {
      const option = field.options?.find((o) => o.value === (value ?? ""));
      if (option) return textIn(option.label, t);
      return value === null || value === undefined || value === "" ? null : String(value);
    }
    default:
      return value === null || value === undefined || value === "" ? null : code(String(value));
  }
}

function TaskSettings({ task }: { task: Task }) {
  const { t } = useI18n();
  const meta = useMeta();
  const rows: { label: string; value: ReactNode }[] = [];
  const add = (label: string, value: ReactNode) => rows.push({ label, value });
  const code = (text: string | null) => <code className="mono pre-wrap">{text}</code>;
  const source = task as unknown as Record<string, unknown>;
  const addFields = (fields: FormField[]) => {
    for (const field of fields) {
      const value = moduleValue(field, source, t);
      if (value !== null) add(textIn(field.label, t), value);
    }
  };
  const modes = meta.data?.modes;
  const channels = meta.data?.channels;
  // The settings appear whole: a mode's and channel's fields are known only from meta. If meta
  // cannot be read, the mode and channel show by name, without their fields.
  if (meta.isPending) return <Spinner />;

  add(t("field.mode"), moduleLabel(modes, task.mode, t));
  addFields(shownFields(findModule(modes, task.mode), (name) => source[name]));
  add(t("field.cron"), code(task.cron));
  add(t("field.timezone"), task.timezone);
  add(
    t("tasks.col.nextRun"),
    <span data-testid="detail-next-run">
      <DateTime value={task.nextRunAt} zone={task.timezone} />
    </span>,
  );
  add(t("field.executorGroup"), task.executorGroup);
  add(t("field.timeoutSeconds"), task.timeoutSeconds);
  add(t("field.retryCount"), task.retryCount);
  if (task.retryCount > 0) add(t("field.retryIntervalSeconds"), task.retryIntervalSeconds);
  add(t("field.concurrencyPolicy"), t(`concurrency.${task.concurrencyPolicy}`));
  const env = formatEnv(taskEnv(task));
  add(t("field.env"), env ? <span data-testid="detail-env">{code(env)}</span> : t("detail.none"));
  add(t("field.misfirePolicy"), t(`misfire.${task.misfirePolicy}`));
  add(t("field.misfireGraceSeconds"), task.misfireGraceSeconds);
  add(t("field.notifyPolicy"), t(`notifyPolicy.${task.notifyPolicy}`));
  if (task.notifyPolicy !== "NONE" && task.notifyChannel) {
    add(t("field.notifyChannel"), moduleLabel(channels, task.notifyChannel, t));
    addFields(shownFields(findModule(channels, task.notifyChannel), (name) => source[name]));
    if (task.notifyPolicy === "ON_KEYWORD") add(t("field.notifyKeywords"), formatList(task.notifyKeywords));
    add(
      t("field.notifyLanguage"),
      task.notifyLanguage ? t(`notifyLanguage.${task.notifyLanguage}`) : t("notifyLanguage.serverDefault"),
    );
  }
  if (task.remark) add(t("field.remark"), task.remark);
  if (task.owner) add(t("field.owner"), <span data-testid="detail-owner">{task.owner}</span>);
  if (task.tags?.length)
    add(
      t("field.tags"),
      <TagChips tags={task.tags} onPick={(tag) => navigate(`/tasks?${new URLSearchParams({ tag })}`)} />,
    );
  add(t("detail.created"), <DateTime value={task.createdAt} zone={task.timezone} />);
  add(t("detail.updated"), <DateTime value={task.updatedAt} zone={task.timezone} />);

  return (
    <section className="card" aria-labelledby="settings-title">
      <h2 id="settings-title">{t("detail.settings")}</h2>
      <dl className="settings" data-testid="task-settings">
        {rows.map(({ label, value }) => (
          <div key={label} className="settings-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The tasks this one runs after and the ones it starts, as links; nothing when there are none. */
function TaskDependenciesCard({ task }: { task: Task }) {
  const { t } = useI18n();
  const graph = useTaskDependencies(task.id);
  const { upstream = [], downstream = [] } = graph.data ?? {};
  if (upstream.length === 0 && downstream.length === 0) return null;
  const list = (items: DependencyItem[], testId: string, onKey: "detail.dependencyOn" | "detail.dependencyOnDown") => (
    <ul className="dependency-list" data-testid={testId}>
      {items.map((item) => (
        <li key={item.taskId}>
          <Link to={`/tasks/${item.taskId}`}>{item.name}</Link> — {t(onKey, { on: t(`dependsOn.on.${item.on}`) })}
          {item.enabled ? null : <span className="muted"> ({t("detail.disabled")})</span>}
        </li>
      ))}
    </ul>
  );
  return (
    <section className="card" aria-labelledby="dependencies-title">
      <h2 id="dependencies-title">{t("detail.dependencies")}</h2>
      <dl className="settings">
        {upstream.length > 0 ? (
          <div className="settings-row">
            <dt>{t("detail.upstream")}</dt>
            <dd>
              {list(upstream, "task-upstream", "detail.dependencyOn")}
              {task.dependsOnAll ? <p className="field-hint">{t("detail.dependsOnAll")}</p> : null}
            </dd>
          </div>
        ) : null}
        {downstream.length > 0 ? (
          <div className="settings-row">
            <dt>{t("detail.downstream")}</dt>
            <dd>{list(downstream, "task-downstream", "detail.dependencyOnDown")}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

function TaskRunHistory({ task }: { task: Task }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [status, setStatus] = useState<RunStatus | "">("");
  const runs = useTaskRuns(task.id, { page, pageSize, status });

  const col = runColumns<RunListItem>(t, task.timezone);
  const columns: Column<RunListItem>[] = [
    col.id,
    col.status,
    col.trigger,
    col.scheduled,
    {
      key: "started",
      header: t("runs.col.started"),
      cell: (run) => <DateTime value={run.startedAt} zone={task.timezone} />,
    },
    col.duration,
    col.attempt,
  ];

  return (
    <section className="card" aria-labelledby="runs-title">
      <div className="card-header">
        <h2 id="runs-title">{t("detail.runs")}</h2>
        <label className="toolbar-field">
          <span>{t("runs.filterStatus")}</span>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as RunStatus | "");
              setPage(1);
            }}
          >
            <option value="">{t("common.all")}</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <Link to={`/runs?taskId=${task.id}`} data-testid="task-runs-link">
          {t("detail.allRuns")}
        </Link>
      </div>
      <PagedTable
        query={runs}
        columns={columns}
        rowKey={(run) => run.id}
        caption={t("detail.runs")}
        testId="runs-table"
        empty={t("detail.noRuns")}
        onPage={setPage}
        onPageSize={(size) => {
          setPageSize(size);
          setPage(1);
        }}
      />
    </section>
  );
}

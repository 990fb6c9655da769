import { tagKey } from "@crondeck/core";
import { useEffect, useRef, useState } from "react";
import { Button, ButtonAnchor, ButtonLink } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { ErrorState, errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Pagination } from "../../../components/Pagination.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import { Switch } from "../../../components/Switch.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { moduleLabel, textIn, useMeta } from "../../../lib/meta.ts";
import { Link, navigate, useSearchParams } from "../../../lib/router.tsx";
import { useCan } from "../../../lib/session.tsx";
import { useDebouncedValue } from "../../../lib/use-debounced-value.ts";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import {
  type TaskListItem,
  type TaskListParams,
  type TaskSort,
  useCopyTask,
  useDeleteTask,
  useRunTaskNow,
  useSetTaskEnabled,
  useTagCounts,
  useTasks,
} from "../api/tasks-api.ts";
import { tasksExportUrl } from "../api/tasks-as-code-api.ts";
import { TagChips } from "./TagChips.tsx";
import { type BulkOutcome, BulkOutcomeLine, TaskBulkBar } from "./TaskBulkBar.tsx";
import { TasksImportDialog } from "./TasksImportDialog.tsx";

const SORTS: readonly TaskSort[] = ["name", "nextRunAt", "lastStatus", "createdAt"];

/** The list's state lives in the URL, so a filtered page can be bookmarked and Back restores it. */
function useListParams(): [TaskListParams, (changes: Record<string, string | readonly string[] | null>) => void] {
  const [search, update] = useSearchParams();
  const sort = search.get("sort");
  const order = search.get("order");
  const mode = search.get("mode");
  const enabled = search.get("enabled");
  const params: TaskListParams = {
    page: Math.max(1, Number(search.get("page")) || 1),
    pageSize: Math.min(100, Math.max(1, Number(search.get("pageSize")) || 20)),
    q: search.get("q") ?? "",
    // Any name: the server checks it against the modes it knows.
    mode: mode ?? "",
    enabled: enabled === "true" || enabled === "false" ? enabled : "",
    // Repeated in the URL (`tag=a&tag=b`): tasks with every one.
    tag: uniqueTags(search.getAll("tag")),
    owner: search.get("owner") ?? "",
  };
  if (sort && (SORTS as readonly string[]).includes(sort)) {
    params.sort = sort as TaskSort;
    params.order = order === "desc" ? "desc" : "asc";
  }
  return [params, update];
}

/** Tags without blanks and without repeats ignoring case, first spelling kept. */
function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags
    .map((tag) => tag.trim())
    .filter((tag) => {
      const key = tagKey(tag);
      if (!tag || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export function TasksListPage() {
  const { t } = useI18n();
  const meta = useMeta();
  const [params, update] = useListParams();
  const [query, setQuery] = useState(params.q ?? "");
  const debouncedQuery = useDebouncedValue(query, 300);
  const [ownerText, setOwnerText] = useState(params.owner ?? "");
  const debouncedOwner = useDebouncedValue(ownerText, 300);
  const tagCounts = useTagCounts();
  const activeTags = params.tag ?? [];
  const tasks = useTasks(params);
  usePageTitle(t("tasks.title"));
  const setEnabled = useSetTaskEnabled();
  const runNow = useRunTaskNow();
  const remove = useDeleteTask();
  const copy = useCopyTask();
  // Tagged with the list's URL state: another page, filter or sort starts with nothing selected.
  const [selection, setSelection] = useState<{ view: string; ids: ReadonlySet<number> }>({ view: "", ids: new Set() });
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<TaskListItem | null>(null);
  const [importing, setImporting] = useState(false);
  // The server refuses these for weaker roles anyway; offering them would only lead to a 403.
  const canRun = useCan("task.run");
  const canToggle = useCan("task.toggle");
  const canWrite = useCan("task.write");

  const latest = useRef({ q: params.q ?? "", owner: params.owner ?? "", update });
  latest.current = { q: params.q ?? "", owner: params.owner ?? "", update };
  // Only a change of the typed text may write the URL; reacting to URL changes too would let a
  // stale debounced value undo "Clear filters".
  useEffect(() => {
    if (debouncedQuery !== latest.current.q) latest.current.update({ q: debouncedQuery, page: null });
  }, [debouncedQuery]);
  useEffect(() => {
    if (debouncedOwner.trim() !== latest.current.owner)
      latest.current.update({ owner: debouncedOwner.trim(), page: null });
  }, [debouncedOwner]);

  const filtered = Boolean(params.q || params.mode || params.enabled || params.owner || activeTags.length > 0);
  /** Adds a tag to the filter (a chip clicked, a tag picked); the list then shows tasks with all of them. */
  const filterByTag = (tag: string) => update({ tag: uniqueTags([...activeTags, tag]), page: null });
  const unfilterTag = (tag: string) =>
    update({ tag: activeTags.filter((have) => tagKey(have) !== tagKey(tag)), page: null });

  // Selection is per page: only rows in view count, so nothing hidden is ever acted on.
  const view = JSON.stringify(params);
  const selected = selection.view === view ? selection.ids : new Set<number>();
  const setSelected = (ids: ReadonlySet<number>) => setSelection({ view, ids });
  const rows = tasks.data?.items ?? [];
  const selectedRows = rows.filter((task) => selected.has(task.id));
  const allSelected = rows.length > 0 && selectedRows.length === rows.length;
  const canSelect = canToggle || canRun || canWrite;
  const select = (ids: number[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };

  const copyTask = (task: TaskListItem) => {
    setActionError(null);
    copy.mutate(task.id, {
      onSuccess: (made) => navigate(`/tasks/${made.id}`),
      onError: (error) => setActionError(t("tasks.copyFailed", { name: task.name, message: errorMessage(error, t) })),
    });
  };

  const onSort = (key: string) => {
    const order = params.sort === key && params.order === "asc" ? "desc" : "asc";
    update({ sort: key, order, page: null });
  };

  const toggle = (task: TaskListItem, enabled: boolean) => {
    setActionError(null);
    setEnabled.mutate(
      { id: task.id, enabled },
      {
        onError: (error) =>
          setActionError(t("tasks.toggleFailed", { name: task.name, message: errorMessage(error, t) })),
      },
    );
  };

  const run = (task: TaskListItem) => {
    setActionError(null);
    runNow.mutate(task.id, {
      onSuccess: ({ runId }) => navigate(`/runs/${runId}`),
      onError: (error) => setActionError(t("tasks.runFailed", { name: task.name, message: errorMessage(error, t) })),
    });
  };

  const columns: Column<TaskListItem>[] = [];
  if (canSelect)
    columns.push({
      key: "select",
      header: t("tasks.bulk.selectColumn"),
      className: "cell-select",
      headerCell: (
        <input
          type="checkbox"
          className="select-box"
          aria-label={t("tasks.bulk.selectAll")}
          data-testid="select-all"
          checked={allSelected}
          ref={(box) => {
            if (box) box.indeterminate = selectedRows.length > 0 && !allSelected;
          }}
          onChange={(e) =>
            select(
              rows.map((task) => task.id),
              e.target.checked,
            )
          }
        />
      ),
      cell: (task) => (
        <input
          type="checkbox"
          className="select-box"
          aria-label={t("tasks.bulk.selectRow", { name: task.name })}
          data-testid="select-row"
          checked={selected.has(task.id)}
          onChange={(e) => select([task.id], e.target.checked)}
        />
      ),
    });
  columns.push(
    {
      key: "name",
      header: t("tasks.col.name"),
      sortKey: "name",
      cell: (task) => (
        <div className="cell-name">
          <Link to={`/tasks/${task.id}`} data-testid="task-link">
            {task.name}
          </Link>
          {task.remark ? <span className="cell-sub">{task.remark}</span> : null}
          {task.owner ? (
            <span className="cell-sub" data-testid="task-owner">
              {t("tasks.ownerLine", { owner: task.owner })}
            </span>
          ) : null}
          <TagChips tags={task.tags ?? []} onPick={filterByTag} />
        </div>
      ),
    },
    {
      key: "mode",
      header: t("tasks.col.mode"),
      cell: (task) => <span className="tag">{moduleLabel(meta.data?.modes, task.mode, t)}</span>,
    },
    {
      key: "schedule",
      header: t("tasks.col.schedule"),
      cell: (task) => (
        <code className="mono nowrap" title={task.timezone}>
          {task.cron}
        </code>
      ),
    },
    {
      key: "nextRun",
      header: t("tasks.col.nextRun"),
      sortKey: "nextRunAt",
      cell: (task) => (
        <span data-testid="next-run">
          <DateTime value={task.nextRunAt} zone={task.timezone} />
        </span>
      ),
    },
    {
      key: "lastResult",
      header: t("tasks.col.lastResult"),
      sortKey: "lastStatus",
      cell: (task) =>
        task.lastRun ? (
          <Link
            to={`/runs/${task.lastRun.id}`}
            className="badge-link"
            aria-label={t("tasks.viewLastRun", { status: t(`status.${task.lastRun.status}`) })}
          >
            <StatusBadge status={task.lastRun.status} />
          </Link>
        ) : (
          <span className="muted">{t("tasks.neverRun")}</span>
        ),
    },
    {
      key: "enabled",
      header: t("tasks.col.enabled"),
      cell: (task) => (
        <Switch
          checked={task.enabled}
          label={t("tasks.toggleFor", { name: task.name })}
          onChange={(checked) => toggle(task, checked)}
          disabled={!canToggle}
          testId="task-enabled"
        />
      ),
    },
  );
  if (canRun || canWrite)
    columns.push({
      key: "actions",
      header: t("common.actions"),
      className: "cell-actions",
      cell: (task) => (
        <div className="row-actions">
          {canRun ? (
            <Button
              size="sm"
              onClick={() => run(task)}
              busy={runNow.isPending && runNow.variables === task.id}
              aria-label={t("tasks.runNowFor", { name: task.name })}
            >
              {t("tasks.runNow")}
            </Button>
          ) : null}
          {canWrite ? (
            <>
              <ButtonLink
                size="sm"
                variant="ghost"
                to={`/tasks/${task.id}/edit`}
                aria-label={t("tasks.editFor", { name: task.name })}
              >
                {t("common.edit")}
              </ButtonLink>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => copyTask(task)}
                busy={copy.isPending && copy.variables === task.id}
                aria-label={t("tasks.copyFor", { name: task.name })}
              >
                {t("tasks.copy")}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  remove.reset();
                  setToDelete(task);
                }}
                aria-label={t("tasks.deleteFor", { name: task.name })}
              >
                {t("common.delete")}
              </Button>
            </>
          ) : null}
        </div>
      ),
    });

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("tasks.title")}</h1>
        <div className="header-actions">
          <ButtonAnchor href={tasksExportUrl()} download title={t("tasksAsCode.exportHint")} data-testid="export-all">
            {t("tasksAsCode.export")}
          </ButtonAnchor>
          {canWrite ? (
            <Button onClick={() => setImporting(true)} data-testid="import-open">
              {t("tasksAsCode.import")}
            </Button>
          ) : null}
          {canWrite ? (
            <ButtonLink to="/tasks/new" variant="primary">
              + {t("tasks.new")}
            </ButtonLink>
          ) : null}
        </div>
      </header>
      {importing ? (
        <TasksImportDialog
          onClose={() => setImporting(false)}
          onApplied={(text) => {
            setImporting(false);
            setOutcome({ tone: "success", text });
          }}
        />
      ) : null}

      <search className="toolbar">
        <label className="toolbar-field grow">
          <span className="visually-hidden">{t("tasks.search")}</span>
          <input
            type="search"
            placeholder={t("tasks.search")}
            aria-label={t("tasks.search")}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
        <label className="toolbar-field">
          <span>{t("tasks.filterMode")}</span>
          <select value={params.mode} onChange={(e) => update({ mode: e.target.value, page: null })}>
            <option value="">{t("common.all")}</option>
            {(meta.data?.modes ?? []).map((mode) => (
              <option key={mode.name} value={mode.name}>
                {textIn(mode.label, t)}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t("tasks.filterEnabled")}</span>
          <select value={params.enabled} onChange={(e) => update({ enabled: e.target.value, page: null })}>
            <option value="">{t("common.all")}</option>
            <option value="true">{t("tasks.enabled")}</option>
            <option value="false">{t("tasks.disabled")}</option>
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t("tasks.filterTag")}</span>
          <select
            value=""
            data-testid="filter-tag"
            onChange={(e) => {
              if (e.target.value) filterByTag(e.target.value);
            }}
          >
            <option value="">{t("tasks.filterTagAny")}</option>
            {(tagCounts.data ?? [])
              .filter(({ tag }) => !activeTags.some((have) => tagKey(have) === tagKey(tag)))
              .map(({ tag, count }) => (
                <option key={tag} value={tag}>
                  {`${tag} (${count})`}
                </option>
              ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t("tasks.filterOwner")}</span>
          <input
            type="search"
            data-testid="filter-owner"
            placeholder={t("tasks.filterOwnerPlaceholder")}
            value={ownerText}
            maxLength={64}
            onChange={(e) => setOwnerText(e.target.value)}
          />
        </label>
      </search>
      {activeTags.length > 0 ? (
        <ul className="tag-filters" aria-label={t("tasks.activeTags")} data-testid="active-tag-filters">
          {activeTags.map((tag) => (
            <li key={tag} className="tag-chip">
              {tag}
              <button
                type="button"
                className="tag-chip-remove"
                aria-label={t("tasks.removeTagFilter", { tag })}
                onClick={() => unfilterTag(tag)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}

      {actionError ? <InlineAlert>{actionError}</InlineAlert> : null}
      <BulkOutcomeLine outcome={outcome} />
      {selectedRows.length > 0 ? (
        <TaskBulkBar selected={selectedRows} onClear={() => setSelected(new Set())} onOutcome={setOutcome} />
      ) : null}

      {tasks.isPending ? (
        <Spinner />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => tasks.refetch()} />
      ) : tasks.data.items.length === 0 ? (
        filtered ? (
          <EmptyState title={t("tasks.noMatch")}>
            <Button
              size="sm"
              onClick={() => {
                setQuery("");
                setOwnerText("");
                update({ q: null, mode: null, enabled: null, tag: null, owner: null, page: null });
              }}
            >
              {t("tasks.clearFilters")}
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title={t("tasks.empty")}>
            {canWrite ? (
              <>
                <p>{t("tasks.emptyHint")}</p>
                <ButtonLink to="/tasks/new" variant="primary">
                  + {t("tasks.new")}
                </ButtonLink>
              </>
            ) : (
              <p>{t("tasks.emptyReadOnly")}</p>
            )}
          </EmptyState>
        )
      ) : (
        <>
          <Table
            columns={columns}
            rows={tasks.data.items}
            rowKey={(task) => task.id}
            caption={t("tasks.title")}
            sort={params.sort ? { key: params.sort, order: params.order ?? "asc" } : undefined}
            onSort={onSort}
            sortLabel={(column) => t("tasks.sortBy", { column })}
            testId="tasks-table"
            rowTestId={(task) => `task-row-${task.id}`}
            rowClassName={(task) => (selected.has(task.id) ? "row-selected" : undefined)}
          />
          <Pagination
            page={tasks.data.page}
            pageSize={tasks.data.pageSize}
            total={tasks.data.total}
            onPage={(page) => update({ page: String(page) })}
            onPageSize={(size) => update({ pageSize: String(size), page: null })}
          />
        </>
      )}

      {toDelete ? (
        <ConfirmDialog
          title={t("tasks.deleteTitle")}
          body={t("tasks.deleteBody", { name: toDelete.name })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={remove.isError ? t("tasks.deleteFailed", { message: errorMessage(remove.error, t) }) : undefined}
          onCancel={() => setToDelete(null)}
          onConfirm={() => remove.mutate(toDelete.id, { onSuccess: () => setToDelete(null) })}
        />
      ) : null}
    </div>
  );
}

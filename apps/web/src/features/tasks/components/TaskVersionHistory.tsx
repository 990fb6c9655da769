import type { Task } from "@crondeck/api-client";
import { formatList } from "@crondeck/core";
import { type ReactNode, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { ErrorState, errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { PagedTable } from "../../../components/PagedTable.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { isMessageKey, type Translate, useI18n } from "../../../lib/i18n/index.tsx";
import { metaField, metaValueLabel, textIn, useMeta } from "../../../lib/meta.ts";
import { useCan } from "../../../lib/session.tsx";
import {
  type FieldChange,
  type TaskVersionSummary,
  useRevertTask,
  useTaskVersions,
  useVersionDiff,
} from "../api/versions-api.ts";

/** A task field's label: the form's own, a module field's from meta, else its API name. */
function fieldLabel(field: string, t: Translate): string {
  const key = `field.${field}`;
  if (isMessageKey(key)) return t(key);
  const declared = metaField(field);
  return declared ? textIn(declared.label, t) : field;
}

/** A value of the diff as the task view gave it (masked secrets stay masked), in plain text. */
function shownValue(field: string, value: unknown, t: Translate): ReactNode {
  if (value === null || value === undefined || value === "") return <span className="muted">{t("common.none")}</span>;
  if (typeof value === "boolean") return value ? t("common.yes") : t("common.no");
  if (Array.isArray(value)) return value.length > 0 ? formatList(value.map(String)) : t("detail.none");
  if (typeof value === "object") {
    const lines = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`);
    return lines.length > 0 ? <code className="mono pre-wrap">{lines.join("\n")}</code> : t("detail.none");
  }
  const text = String(value);
  const label = metaValueLabel(field, text, t);
  if (label) return label;
  const policy = { concurrencyPolicy: "concurrency", misfirePolicy: "misfire", notifyPolicy: "notifyPolicy" }[field];
  const key = policy ? `${policy}.${text}` : "";
  if (key && isMessageKey(key)) return t(key);
  return <code className="mono pre-wrap">{text}</code>;
}

/**
 * The task's edit history: every saved version (who, when, how, which fields), what a version
 * changed, and — for those who may edit the task — reverting to one, after a confirmation.
 */
export function TaskVersionHistory({ task }: { task: Task }) {
  const { t } = useI18n();
  useMeta();
  const canWrite = useCan("task.write");
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(10);
  const [shown, setShown] = useState<number | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Keyed by the task's updatedAt: any edit seen on this page (a toggle, a revert) reads the history again.
  const versions = useTaskVersions(task.id, page, pageSize, task.updatedAt);
  const revert = useRevertTask(task.id);
  const latest = versions.data?.total ?? 0;

  const columns: Column<TaskVersionSummary>[] = [
    { key: "version", header: t("history.col.version"), cell: (v) => `#${v.version}` },
    {
      key: "at",
      header: t("history.col.at"),
      cell: (v) => <DateTime value={v.createdAt} zone={task.timezone} />,
    },
    {
      key: "actor",
      header: t("history.col.actor"),
      cell: (v) => (v.actor.via === "token" ? t("history.viaToken", { name: v.actor.name }) : v.actor.name),
    },
    { key: "action", header: t("history.col.action"), cell: (v) => t(`history.action.${v.action}`) },
    {
      key: "changed",
      header: t("history.col.changed"),
      cell: (v) =>
        v.changedFields.length > 0 ? (
          v.changedFields.map((f) => fieldLabel(f, t)).join(", ")
        ) : (
          <span className="muted">{v.version === 1 ? t("history.first") : t("common.none")}</span>
        ),
    },
    {
      key: "actions",
      header: t("common.actions"),
      cell: (v) => (
        <div className="row-actions">
          {v.version > 1 ? (
            <Button
              size="sm"
              variant="ghost"
              aria-pressed={shown === v.version}
              data-testid={`history-diff-${v.version}`}
              onClick={() => setShown(shown === v.version ? null : v.version)}
            >
              {t("history.showChanges")}
            </Button>
          ) : null}
          {canWrite && v.version !== latest ? (
            <Button
              size="sm"
              variant="ghost"
              data-testid={`history-revert-${v.version}`}
              onClick={() => {
                revert.reset();
                setNotice(null);
                setConfirm(v.version);
              }}
            >
              {t("history.revert")}
            </Button>
          ) : null}
        </div>
      ),
    },
  ];

  return (
    <section className="card" aria-labelledby="history-title" data-testid="task-history">
      <div className="card-header">
        <h2 id="history-title">{t("history.title")}</h2>
      </div>
      {notice ? <InlineAlert tone="success">{notice}</InlineAlert> : null}
      <PagedTable
        query={versions}
        columns={columns}
        rowKey={(v) => v.version}
        caption={t("history.title")}
        testId="history-table"
        empty={t("history.empty")}
        onPage={setPage}
        onPageSize={(size) => {
          setPageSize(size);
          setPage(1);
        }}
      />
      {shown !== null ? <VersionDiff taskId={task.id} version={shown} /> : null}
      {confirm !== null ? (
        <ConfirmDialog
          title={t("history.revertTitle", { version: confirm })}
          body={t("history.revertBody", { version: confirm })}
          confirmLabel={t("history.revert")}
          busy={revert.isPending}
          error={revert.isError ? t("history.revertFailed", { message: errorMessage(revert.error, t) }) : undefined}
          onCancel={() => setConfirm(null)}
          onConfirm={() =>
            revert.mutate(confirm, {
              onSuccess: (result) => {
                setNotice(
                  result.version === null
                    ? t("history.revertNoop", { version: confirm })
                    : t("history.reverted", { version: confirm, saved: result.version }),
                );
                setConfirm(null);
                setPage(1);
              },
            })
          }
        />
      ) : null}
    </section>
  );
}

function VersionDiff({ taskId, version }: { taskId: number; version: number }) {
  const { t } = useI18n();
  const diff = useVersionDiff(taskId, version);
  const columns: Column<FieldChange>[] = [
    { key: "field", header: t("history.col.field"), cell: (c) => fieldLabel(c.field, t) },
    {
      key: "before",
      header: t("history.col.before"),
      cell: (c) =>
        c.secret ? <span className="muted">{t("history.secretChanged")}</span> : shownValue(c.field, c.before, t),
    },
    {
      key: "after",
      header: t("history.col.after"),
      cell: (c) =>
        c.secret ? <span className="muted">{t("history.secretChanged")}</span> : shownValue(c.field, c.after, t),
    },
  ];
  return (
    <div className="history-diff" data-testid="history-diff">
      <h3>{t("history.diffTitle", { version, previous: version - 1 })}</h3>
      {diff.isPending ? (
        <Spinner />
      ) : diff.isError ? (
        <ErrorState error={diff.error} onRetry={() => diff.refetch()} />
      ) : diff.data.length === 0 ? (
        <p className="muted">{t("history.noChanges")}</p>
      ) : (
        <Table
          columns={columns}
          rows={diff.data}
          rowKey={(c) => c.field}
          caption={t("history.diffTitle", { version, previous: version - 1 })}
          testId="history-diff-table"
        />
      )}
    </div>
  );
}

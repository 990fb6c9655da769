import { type FormEvent, useEffect, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { PagedTable } from "../../../components/PagedTable.tsx";
import type { Column } from "../../../components/Table.tsx";
import { isMessageKey, type Translate, useI18n } from "../../../lib/i18n/index.tsx";
import { Link, useSearchParams } from "../../../lib/router.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { type AuditEntry, type AuditParams, useAudit } from "../api/audit-api.ts";
import { auditDiff } from "../api/audit-diff.ts";

const positiveInt = (value: string | null): number | undefined => {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/** Before/after as text lines in a disclosure: audited values (task commands…) are never markup. */
function Changes({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  if (entry.before === null && entry.after === null) return <span className="muted">{t("common.none")}</span>;
  const { lines, unchanged } = auditDiff(entry.before, entry.after);
  return (
    <details className="audit-changes">
      <summary>{t("audit.showChanges")}</summary>
      <pre className="diff" data-testid="audit-diff">
        {lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their place
          <span key={i} className={`diff-${line.kind}`}>
            {line.text}
            {"\n"}
          </span>
        ))}
      </pre>
      {unchanged > 0 ? <p className="muted">{t("audit.unchanged", { n: unchanged })}</p> : null}
    </details>
  );
}

/** Who changed or ran what, newest first; filterable by task, page in the address. */
export function AuditPage() {
  const { t } = useI18n();
  usePageTitle(t("audit.title"));
  const [search, update] = useSearchParams();
  const params: AuditParams = {
    page: positiveInt(search.get("page")) ?? 1,
    pageSize: Math.min(100, positiveInt(search.get("pageSize")) ?? 20),
    taskId: positiveInt(search.get("taskId")),
  };
  const audit = useAudit(params);
  const [taskInput, setTaskInput] = useState(params.taskId ? String(params.taskId) : "");
  const [inputError, setInputError] = useState(false);

  useEffect(() => setTaskInput(params.taskId ? String(params.taskId) : ""), [params.taskId]);

  const applyFilter = (event: FormEvent) => {
    event.preventDefault();
    const value = taskInput.trim();
    if (value && !positiveInt(value)) {
      setInputError(true);
      return;
    }
    setInputError(false);
    update({ taskId: value || null, page: null });
  };

  const columns: Column<AuditEntry>[] = [
    { key: "at", header: t("audit.col.at"), className: "nowrap", cell: (e) => <DateTime value={e.at} /> },
    {
      key: "actor",
      header: t("audit.col.actor"),
      cell: (e) => (
        <>
          <span className="break">{e.actorName}</span>
          {e.via ? (
            <div className="muted" data-testid="audit-via">
              {e.via === "token" ? t("audit.viaToken", { id: e.tokenId ?? "?" }) : t("audit.viaSession")}
            </div>
          ) : null}
        </>
      ),
    },
    {
      key: "action",
      header: t("audit.col.action"),
      cell: (e) => (
        <span className="nowrap" title={e.action} data-action={e.action}>
          {sayCode("auditAction", e.action, t)}
        </span>
      ),
    },
    {
      key: "target",
      header: t("audit.col.target"),
      cell: (e) =>
        e.taskId !== null ? (
          <Link to={`/tasks/${e.taskId}`}>{t("audit.taskLink", { id: e.taskId })}</Link>
        ) : (
          <span className="nowrap">
            {sayCode("auditTarget", e.targetType, t)}
            {e.targetId !== null ? ` #${e.targetId}` : ""}
          </span>
        ),
    },
    { key: "ip", header: t("audit.col.ip"), cell: (e) => <span className="mono">{e.ip ?? ""}</span> },
    { key: "changes", header: t("audit.col.changes"), className: "cell-changes", cell: (e) => <Changes entry={e} /> },
  ];

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("audit.title")}</h1>
      </header>
      <search>
        <form className="toolbar" onSubmit={applyFilter} noValidate>
          <label className="toolbar-field">
            <span>{t("audit.filterTask")}</span>
            <input
              inputMode="numeric"
              size={8}
              value={taskInput}
              aria-invalid={inputError || undefined}
              onChange={(e) => setTaskInput(e.target.value)}
            />
          </label>
          <Button type="submit" size="sm">
            {t("audit.filter")}
          </Button>
          {params.taskId ? (
            <Button size="sm" variant="ghost" onClick={() => update({ taskId: null, page: null })}>
              {t("audit.clear")}
            </Button>
          ) : null}
          {inputError ? (
            <span className="field-error" role="alert">
              {t("audit.badTaskId")}
            </span>
          ) : null}
        </form>
      </search>

      <PagedTable
        query={audit}
        columns={columns}
        rowKey={(e) => e.id}
        caption={t("audit.title")}
        testId="audit-table"
        empty={params.taskId ? t("audit.noMatch", { id: params.taskId }) : t("audit.empty")}
        onPage={(page) => update({ page: String(page) })}
        onPageSize={(size) => update({ pageSize: String(size), page: null })}
      />
    </div>
  );
}

/** A code from the server (`task.update`, `run`) as the reader says it, else as it is. */
function sayCode(prefix: "auditAction" | "auditTarget", code: string, t: Translate): string {
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

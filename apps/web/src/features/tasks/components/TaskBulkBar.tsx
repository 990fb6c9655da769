import { useState } from "react";
import { Button, ButtonAnchor } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import type { Translate } from "../../../lib/i18n/index.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useCan } from "../../../lib/session.tsx";
import { type BulkAction, type BulkItemResult, type TaskListItem, useBulkTaskAction } from "../api/tasks-api.ts";
import { tasksExportUrl } from "../api/tasks-as-code-api.ts";

/** What happened to a selection: how many succeeded, and each failure by task name. */
export interface BulkOutcome {
  tone: "success" | "error";
  text: string;
}

function describeOutcome(
  action: BulkAction,
  results: BulkItemResult[],
  names: Map<number, string>,
  t: Translate,
): BulkOutcome {
  const done = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok);
  const parts = [t(`tasks.bulk.done.${action}`, { n: done })];
  if (failed.length > 0) {
    const list = failed
      .map((r) =>
        t("tasks.bulk.failedItem", {
          name: names.get(r.id) ?? `#${r.id}`,
          // Translated by code where the dashboard knows it; otherwise the server's sentence.
          message: r.code === "NOT_FOUND" ? t("tasks.bulk.notFound") : (r.error ?? r.code ?? ""),
        }),
      )
      .join("; ");
    parts.push(t("tasks.bulk.failed", { n: failed.length, list }));
  }
  return { tone: failed.length > 0 ? "error" : "success", text: parts.join(" ") };
}

/**
 * The actions for the selected rows of the task list: each is offered only to roles the server
 * allows it for, and delete asks first, naming how many tasks go.
 */
export function TaskBulkBar({
  selected,
  onClear,
  onOutcome,
}: {
  selected: TaskListItem[];
  onClear: () => void;
  onOutcome: (outcome: BulkOutcome) => void;
}) {
  const { t } = useI18n();
  const bulk = useBulkTaskAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const canRun = useCan("task.run");
  const canToggle = useCan("task.toggle");
  const canWrite = useCan("task.write");
  const n = selected.length;

  const [tag, setTag] = useState("");

  const apply = (action: BulkAction) => {
    const names = new Map(selected.map((task) => [task.id, task.name]));
    const tagging = action === "addTag" || action === "removeTag";
    bulk.mutate(
      { action, ids: selected.map((task) => task.id), ...(tagging ? { tag: tag.trim() } : {}) },
      {
        onSuccess: ({ results }) => {
          setConfirmDelete(false);
          onOutcome(describeOutcome(action, results, names, t));
          // Keep the failed ones selected, so they can be looked at or tried again.
          if (results.every((r) => r.ok)) onClear();
        },
        onError: (error) => {
          if (action !== "delete")
            onOutcome({ tone: "error", text: t("tasks.bulk.requestFailed", { message: errorMessage(error, t) }) });
        },
      },
    );
  };

  const busy = (action: BulkAction) => bulk.isPending && bulk.variables?.action === action;

  return (
    <section className="bulk-bar" aria-label={t("tasks.bulk.label")} data-testid="bulk-bar">
      <span className="bulk-count" data-testid="bulk-count">
        {t("tasks.bulk.selected", { n })}
      </span>
      {canToggle ? (
        <>
          <Button size="sm" onClick={() => apply("enable")} busy={busy("enable")} disabled={bulk.isPending}>
            {t("tasks.bulk.enable")}
          </Button>
          <Button size="sm" onClick={() => apply("disable")} busy={busy("disable")} disabled={bulk.isPending}>
            {t("tasks.bulk.disable")}
          </Button>
        </>
      ) : null}
      {canRun ? (
        <Button size="sm" onClick={() => apply("run")} busy={busy("run")} disabled={bulk.isPending}>
          {t("tasks.runNow")}
        </Button>
      ) : null}
      {canWrite ? (
        <Button
          size="sm"
          variant="ghost"
          className="text-danger"
          disabled={bulk.isPending}
          onClick={() => {
            bulk.reset();
            setConfirmDelete(true);
          }}
        >
          {t("common.delete")}
        </Button>
      ) : null}
      {canWrite ? (
        <span className="bulk-tag">
          <input
            type="text"
            className="bulk-tag-input"
            aria-label={t("tasks.bulk.tag")}
            placeholder={t("tasks.filterTag")}
            data-testid="bulk-tag"
            maxLength={32}
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
          <Button
            size="sm"
            onClick={() => apply("addTag")}
            busy={busy("addTag")}
            disabled={bulk.isPending || !tag.trim()}
          >
            {t("tasks.bulk.addTag")}
          </Button>
          <Button
            size="sm"
            onClick={() => apply("removeTag")}
            busy={busy("removeTag")}
            disabled={bulk.isPending || !tag.trim()}
          >
            {t("tasks.bulk.removeTag")}
          </Button>
        </span>
      ) : null}
      <ButtonAnchor
        size="sm"
        href={tasksExportUrl(selected.map((task) => task.id))}
        download
        title={t("tasksAsCode.exportSelectedHint")}
        data-testid="bulk-export"
      >
        {t("tasksAsCode.exportSelected")}
      </ButtonAnchor>
      <Button size="sm" variant="ghost" onClick={onClear}>
        {t("tasks.bulk.clear")}
      </Button>

      {confirmDelete ? (
        <ConfirmDialog
          title={t(n === 1 ? "tasks.bulk.deleteTitle.one" : "tasks.bulk.deleteTitle.other", { n })}
          body={t(n === 1 ? "tasks.bulk.deleteBody.one" : "tasks.bulk.deleteBody.other", { n })}
          confirmLabel={t(n === 1 ? "tasks.bulk.deleteConfirm.one" : "tasks.bulk.deleteConfirm.other", { n })}
          busy={bulk.isPending}
          error={bulk.isError ? t("tasks.bulk.requestFailed", { message: errorMessage(bulk.error, t) }) : undefined}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => apply("delete")}
        />
      ) : null}
    </section>
  );
}

/** The result line under the toolbar. */
export function BulkOutcomeLine({ outcome }: { outcome: BulkOutcome | null }) {
  if (!outcome) return null;
  return (
    <div data-testid="bulk-outcome">
      <InlineAlert tone={outcome.tone}>{outcome.text}</InlineAlert>
    </div>
  );
}

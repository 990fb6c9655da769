import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Modal } from "../../../components/Modal.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { fieldErrorText, fieldLabel } from "../../../lib/api-errors.ts";
import type { Translate } from "../../../lib/i18n/index.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useMeta } from "../../../lib/meta.ts";
import { planHasChanges, type TasksPlan, useApplyTasks, usePlanTasks } from "../api/tasks-as-code-api.ts";

/** A plan's value as it reads in one line; absent values and secrets as the server shows them. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Each refused task and field on its own line, in the reader's language ("tasks.<name>.<field>"). */
function problems(error: unknown, t: Translate): string[] {
  if (!(error instanceof ApiError) || error.code !== "VALIDATION_FAILED" || error.details.length === 0)
    return [errorMessage(error, t)];
  return error.details.map((d) => {
    const task = typeof d.params?.task === "string" ? d.params.task : null;
    const prefix = task === null ? null : `tasks.${task}`;
    const field = prefix && d.field.startsWith(prefix) ? d.field.slice(prefix.length).replace(/^\./, "") : d.field;
    const text = fieldErrorText(d, t, error.code);
    if (task === null)
      return t("tasksAsCode.problem.file", { field: field === "yaml" ? t("tasksAsCode.file") : field, problem: text });
    return field
      ? t("tasksAsCode.problem.field", { task, field: fieldLabel(field, t), problem: text })
      : t("tasksAsCode.problem.task", { task, problem: text });
  });
}

function PlanView({ plan }: { plan: TasksPlan }) {
  const { t } = useI18n();
  const shownItems = plan.items.filter((item) => item.action !== "unchanged");
  return (
    <div className="import-plan" data-testid="import-plan">
      <p data-testid="import-plan-summary">
        {t("tasksAsCode.summary", {
          create: plan.summary.create,
          update: plan.summary.update,
          delete: plan.summary.delete,
          unchanged: plan.summary.unchanged,
        })}
      </p>
      {shownItems.length > 0 ? (
        <ul className="import-plan-items">
          {shownItems.map((item) => (
            <li key={`${item.action}:${item.name}`} data-action={item.action}>
              <span
                className={`badge badge-${item.action === "delete" ? "danger" : item.action === "create" ? "success" : "info"}`}
              >
                {t(`tasksAsCode.action.${item.action}`)}
              </span>{" "}
              <strong>{item.name}</strong>
              {item.changes.length > 0 ? (
                <ul className="import-plan-changes">
                  {item.changes.map((c) => (
                    <li key={c.field}>
                      {fieldLabel(c.field, t)}: <code>{shown(c.before)}</code> → <code>{shown(c.after)}</code>
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {!plan.prune ? <p className="muted">{t("tasksAsCode.keptHint")}</p> : null}
    </div>
  );
}

/**
 * Import of a tasks file: paste it or pick it, see the plan (what is created, changed, deleted),
 * then apply exactly that plan. Editing the text or the prune switch asks for a new plan.
 */
export function TasksImportDialog({ onClose, onApplied }: { onClose: () => void; onApplied: (text: string) => void }) {
  const { t } = useI18n();
  // Loaded so a plan's problems and changes name a mode's or channel's fields by their labels.
  useMeta();
  const [yaml, setYaml] = useState("");
  const [prune, setPrune] = useState(false);
  const plan = usePlanTasks();
  const apply = useApplyTasks();
  const current = plan.data && plan.variables?.yaml === yaml && plan.variables.prune === prune ? plan.data : null;

  const edit = (text: string) => {
    setYaml(text);
    apply.reset();
  };

  const pick = async (file: File | undefined) => {
    if (file) edit(await file.text());
  };

  const doApply = () => {
    if (!current) return;
    apply.mutate(
      { yaml, prune, fingerprint: current.fingerprint },
      {
        onSuccess: (done) =>
          onApplied(
            t("tasksAsCode.applied", {
              create: done.summary.create,
              update: done.summary.update,
              delete: done.summary.delete,
            }),
          ),
        // A stale plan: show the new one, so Apply applies what is shown.
        onError: (error) => {
          if (error instanceof ApiError && error.code === "PLAN_STALE") plan.mutate({ yaml, prune });
        },
      },
    );
  };

  const error = apply.isError ? apply.error : plan.isError && plan.variables?.yaml === yaml ? plan.error : null;

  return (
    <Modal
      title={t("tasksAsCode.importTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button
            onClick={() => plan.mutate({ yaml, prune })}
            busy={plan.isPending}
            disabled={yaml.trim() === "" || apply.isPending}
            data-testid="import-plan-button"
          >
            {t("tasksAsCode.plan")}
          </Button>
          <Button
            variant="primary"
            onClick={doApply}
            busy={apply.isPending}
            disabled={!current || !planHasChanges(current) || plan.isPending}
            data-testid="import-apply"
          >
            {t("tasksAsCode.apply")}
          </Button>
        </>
      }
    >
      <div className="import-dialog">
        <p>{t("tasksAsCode.importHint")}</p>
        <label className="field">
          <span>{t("tasksAsCode.file")}</span>
          <input
            type="file"
            accept=".yaml,.yml,application/yaml,text/yaml"
            onChange={(e) => pick(e.target.files?.[0])}
          />
        </label>
        <label className="field">
          <span>{t("tasksAsCode.paste")}</span>
          <textarea
            rows={10}
            spellCheck={false}
            className="mono"
            value={yaml}
            onChange={(e) => edit(e.target.value)}
            data-testid="import-yaml"
          />
        </label>
        <label className="checkbox-inline">
          <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} />{" "}
          {t("tasksAsCode.prune")}
        </label>
        {error ? (
          <div data-testid="import-error">
            {problems(error, t).map((line) => (
              <InlineAlert key={line}>{line}</InlineAlert>
            ))}
          </div>
        ) : null}
        {current ? <PlanView plan={current} /> : null}
        {current && !planHasChanges(current) ? (
          <InlineAlert tone="success">{t("tasksAsCode.nothing")}</InlineAlert>
        ) : null}
      </div>
    </Modal>
  );
}

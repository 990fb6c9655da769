import type { Task } from "@crondeck/api-client";
import type { FormField } from "@crondeck/core";
import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { Modal } from "../../../components/Modal.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { textIn, useMeta } from "../../../lib/meta.ts";
import { type EnvRow, type RunParameterProblem, runParameterFields, toRunParameters } from "../api/run-parameters.ts";
import { useRunTaskWithParameters } from "../api/tasks-api.ts";

/**
 * "Run with parameters…": environment rows over the task's, and the fields the task's mode lets a
 * run override (from GET /api/meta), for one manual run. Starts it and hands back its run id.
 */
export function RunWithParametersDialog({
  task,
  onClose,
  onStarted,
}: {
  task: Task;
  onClose: () => void;
  onStarted: (runId: number) => void;
}) {
  const { t } = useI18n();
  const meta = useMeta();
  const fields = runParameterFields(task, meta.data);
  const [env, setEnv] = useState<EnvRow[]>([{ name: "", value: "" }]);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<RunParameterProblem[]>([]);
  const run = useRunTaskWithParameters();

  const setRow = (index: number, change: Partial<EnvRow>) =>
    setEnv((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const rowProblem = (index: number) => problems.find((p) => p.at === "env" && p.row === index);
  const fieldProblem = (name: string) => problems.find((p) => p.at === "field" && p.field === name);

  const submit = () => {
    const { body, problems: found } = toRunParameters({ env, fields: texts }, fields);
    setProblems(found);
    if (found.length > 0) return;
    run.mutate({ id: task.id, parameters: body }, { onSuccess: ({ runId }) => onStarted(runId) });
  };

  return (
    <Modal
      title={t("runParams.title", { name: task.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button variant="primary" busy={run.isPending} onClick={submit} data-testid="run-params-submit">
            {t("runParams.run")}
          </Button>
        </>
      }
    >
      <p className="muted small">{t("runParams.intro")}</p>
      <fieldset className="run-params-env" data-testid="run-params-env">
        <legend className="run-params-legend">{t("runParams.env")}</legend>
        <p className="field-hint">{t("runParams.envHint")}</p>
        {env.map((row, index) => {
          const problem = rowProblem(index);
          const n = index + 1;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
            <div key={index} className="run-params-row">
              <input
                className="mono"
                placeholder={t("runParams.name")}
                aria-label={t("runParams.nameOf", { n })}
                aria-invalid={problem ? true : undefined}
                value={row.name}
                onChange={(e) => setRow(index, { name: e.target.value })}
                data-testid={`run-param-name-${index}`}
              />
              <input
                className="mono"
                placeholder={t("runParams.value")}
                aria-label={t("runParams.valueOf", { n })}
                value={row.value}
                onChange={(e) => setRow(index, { value: e.target.value })}
                data-testid={`run-param-value-${index}`}
              />
              <Button
                variant="ghost"
                aria-label={t("runParams.removeRow", { n })}
                onClick={() =>
                  setEnv((rows) => (rows.length > 1 ? rows.filter((_, i) => i !== index) : [{ name: "", value: "" }]))
                }
              >
                ×
              </Button>
              {problem ? (
                <p className="field-error" role="alert" data-testid={`run-param-error-${index}`}>
                  {t(problem.key)}
                </p>
              ) : null}
            </div>
          );
        })}
        <Button variant="ghost" onClick={() => setEnv((rows) => [...rows, { name: "", value: "" }])}>
          {t("runParams.addRow")}
        </Button>
      </fieldset>
      {fields.map((field) => (
        <OverrideField
          key={field.name}
          field={field}
          value={texts[field.name] ?? ""}
          onChange={(text) => setTexts((all) => ({ ...all, [field.name]: text }))}
          error={(() => {
            const problem = fieldProblem(field.name);
            return problem?.at === "field" ? t(problem.key, { lines: problem.lines }) : undefined;
          })()}
        />
      ))}
      {run.isError ? <InlineAlert>{errorMessage(run.error, t)}</InlineAlert> : null}
    </Modal>
  );
}

/** One overridable field, by its form kind: maps and long text as a text area, the rest as a line. */
function OverrideField({
  field,
  value,
  onChange,
  error,
}: {
  field: FormField;
  value: string;
  onChange: (text: string) => void;
  error?: string;
}) {
  const { t } = useI18n();
  const multiline = field.kind === "keyValue" || field.kind === "textarea" || field.kind === "code";
  return (
    <Field
      id={`run-param-${field.name}`}
      label={textIn(field.label, t)}
      hint={field.kind === "keyValue" ? t("runParams.mapHint") : t("runParams.textHint")}
      error={error}
    >
      {(control) =>
        multiline ? (
          <textarea
            {...control}
            className="mono"
            rows={field.kind === "keyValue" ? 3 : 5}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : (
          <input {...control} className="mono" value={value} onChange={(e) => onChange(e.target.value)} />
        )
      }
    </Field>
  );
}

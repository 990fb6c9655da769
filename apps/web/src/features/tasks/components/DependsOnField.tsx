import { DEPENDENCY_CONDITIONS, type DependencyCondition, MAX_DEPENDENCIES } from "@crondeck/core";
import { useEffect, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { CheckboxField } from "../../../components/Field.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import type { TaskFormValues } from "../api/task-form.ts";
import { useTaskDependencies, useTaskSearch } from "../api/tasks-api.ts";

export interface DependsOnFieldProps {
  /** The task being edited (it cannot depend on itself), or undefined for a new one. */
  taskId?: number;
  value: TaskFormValues["dependsOn"];
  all: boolean;
  onChange: (value: TaskFormValues["dependsOn"]) => void;
  onAllChange: (all: boolean) => void;
  error?: string;
}

/** Picks the upstream tasks by name (searched through the task list API), each with its outcome. */
export function DependsOnField({ taskId, value, all, onChange, onAllChange, error }: DependsOnFieldProps) {
  const { t } = useI18n();
  const [q, setQ] = useState("");
  const search = useTaskSearch(q);
  const saved = useTaskDependencies(taskId);
  // Names of the chosen tasks: the saved ones from the API, the added ones as they were picked.
  const [names, setNames] = useState<Record<number, string>>({});
  useEffect(() => {
    const upstream = saved.data?.upstream;
    if (upstream) setNames((prev) => ({ ...Object.fromEntries(upstream.map((u) => [u.taskId, u.name])), ...prev }));
  }, [saved.data]);
  const chosen = new Set(value.map((d) => d.taskId));
  const results = (search.data?.items ?? []).filter((task) => task.id !== taskId && !chosen.has(task.id));
  const nameOf = (id: number) => names[id] ?? `#${id}`;
  const full = value.length >= MAX_DEPENDENCIES;

  return (
    <div className="field" data-testid="depends-on">
      <label htmlFor="task-dependsOn" id="task-dependsOn-label">
        {t("field.dependsOn")}
      </label>
      <p className="field-hint">{t("field.dependsOn.hint")}</p>
      {value.length > 0 ? (
        <ul className="depends-on-list" aria-labelledby="task-dependsOn-label">
          {value.map((dep, i) => (
            <li key={dep.taskId} data-testid="depends-on-item">
              <span className="depends-on-name">{nameOf(dep.taskId)}</span>
              <select
                aria-label={t("field.dependsOn.on", { name: nameOf(dep.taskId) })}
                value={dep.on}
                onChange={(e) =>
                  onChange(value.map((d, j) => (j === i ? { ...d, on: e.target.value as DependencyCondition } : d)))
                }
              >
                {DEPENDENCY_CONDITIONS.map((on) => (
                  <option key={on} value={on}>
                    {t(`dependsOn.on.${on}`)}
                  </option>
                ))}
              </select>
              <Button
                variant="ghost"
                aria-label={t("field.dependsOn.remove", { name: nameOf(dep.taskId) })}
                onClick={() => onChange(value.filter((d) => d.taskId !== dep.taskId))}
              >
                ×
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      {full ? null : (
        <>
          <input
            id="task-dependsOn"
            type="search"
            value={q}
            placeholder={t("field.dependsOn.search")}
            aria-invalid={error ? true : undefined}
            onChange={(e) => setQ(e.target.value)}
          />
          {q.trim() && search.data ? (
            results.length > 0 ? (
              <ul className="depends-on-results">
                {results.map((task) => (
                  <li key={task.id}>
                    <Button
                      variant="ghost"
                      data-testid="depends-on-add"
                      onClick={() => {
                        setNames((prev) => ({ ...prev, [task.id]: task.name }));
                        onChange([...value, { taskId: task.id, on: "SUCCESS" }]);
                        setQ("");
                      }}
                    >
                      {t("field.dependsOn.add", { name: task.name })}
                    </Button>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="field-hint">{t("field.dependsOn.noMatch")}</p>
            )
          ) : null}
        </>
      )}
      {error ? (
        <p className="field-error" data-testid="error-task-dependsOn">
          {error}
        </p>
      ) : null}
      {value.length > 1 ? (
        <CheckboxField id="task-dependsOnAll" label={t("field.dependsOnAll")} checked={all} onChange={onAllChange} />
      ) : null}
    </div>
  );
}

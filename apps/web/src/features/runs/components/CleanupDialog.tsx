import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { Modal } from "../../../components/Modal.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { daysAgoInput, fromLocalInput, taskChoices } from "../api/run-filters.ts";
import { type TaskOption, useCleanupPreview, useCleanupRuns } from "../api/runs-list-api.ts";

/**
 * Deletes ended runs that finished before a day, of one task or all. Says how many a dry run
 * counts before the button that deletes them, and that the last 24 hours are always kept.
 */
export function CleanupDialog({
  tasks,
  initialTaskId,
  onClose,
  onDone,
}: {
  tasks: TaskOption[];
  initialTaskId?: number;
  onClose: () => void;
  onDone: (deleted: number) => void;
}) {
  const { t } = useI18n();
  const [day, setDay] = useState(() => daysAgoInput(30));
  const [taskId, setTaskId] = useState<number | undefined>(initialTaskId);
  const before = fromLocalInput(day);
  const input = before ? { before, ...(taskId ? { taskId } : {}) } : null;
  const preview = useCleanupPreview(input);
  const cleanup = useCleanupRuns();
  const count = preview.data?.runs;
  const taskName = taskId
    ? (tasks.find((task) => task.id === taskId)?.name ?? t("run.taskLink", { id: taskId }))
    : null;

  return (
    <Modal
      title={t("runs.cleanup.title")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button
            variant="danger"
            busy={cleanup.isPending}
            disabled={!input || !count}
            onClick={() => input && cleanup.mutate(input, { onSuccess: (result) => onDone(result.runs) })}
            data-testid="cleanup-confirm"
          >
            {count ? t("runs.cleanup.confirm", { count }) : t("runs.cleanup.confirmNone")}
          </Button>
        </>
      }
    >
      <p>{t("runs.cleanup.body")}</p>
      <Field
        id="cleanup-before"
        label={t("runs.cleanup.before")}
        error={before ? undefined : t("runs.cleanup.pickDay")}
      >
        {(control) => <input {...control} type="date" value={day} required onChange={(e) => setDay(e.target.value)} />}
      </Field>
      <Field id="cleanup-task" label={t("runs.cleanup.task")}>
        {(control) => (
          <select
            {...control}
            value={taskId ?? ""}
            onChange={(e) => setTaskId(e.target.value ? Number(e.target.value) : undefined)}
          >
            <option value="">{t("runs.cleanup.allTasks")}</option>
            {taskChoices(tasks, taskId, (id) => t("run.taskLink", { id })).map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="notice" role="status" data-testid="cleanup-preview">
        {preview.isError
          ? errorMessage(preview.error, t)
          : count === undefined
            ? t("common.loading")
            : taskName
              ? t("runs.cleanup.previewTask", { count, day, task: taskName })
              : t("runs.cleanup.preview", { count, day })}
      </p>
      <p className="muted small">{t("runs.cleanup.kept")}</p>
      {cleanup.isError ? <InlineAlert>{errorMessage(cleanup.error, t)}</InlineAlert> : null}
    </Modal>
  );
}

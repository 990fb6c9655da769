import { ErrorState } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { clearDraft } from "../../../lib/drafts.ts";
import { viewerTimeZone } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useMeta } from "../../../lib/meta.ts";
import { Link, navigate } from "../../../lib/router.tsx";
import { useServerSettings } from "../../../lib/server-settings.ts";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { markSaved } from "../api/saved-flash.ts";
import { emptyFormValues, formValuesFromTask, savedSecrets, taskDraftKey } from "../api/task-form.ts";
import { useSaveTask, useTask } from "../api/tasks-api.ts";
import { TaskForm } from "./TaskForm.tsx";

export function TaskCreatePage() {
  const { t } = useI18n();
  const save = useSaveTask(null);
  usePageTitle(t("form.createTitle"));
  // The server's zone, as the API would give a task sent without one; the browser's only if the
  // settings cannot be read, so a form-made task and an API-made one mean the same time.
  const settings = useServerSettings();
  const meta = useMeta();
  return (
    <div className="page page-narrow">
      <header className="page-header">
        <div>
          <Link to="/tasks" className="back-link">
            ← {t("nav.tasks")}
          </Link>
          <h1>{t("form.createTitle")}</h1>
        </div>
      </header>
      {settings.isPending || meta.isPending ? (
        <Spinner />
      ) : meta.isError ? (
        <ErrorState error={meta.error} onRetry={() => meta.refetch()} />
      ) : (
        <TaskForm
          // The form copies `initial` once, so it is rendered only when the zone is known.
          initial={emptyFormValues(settings.data?.timezone ?? viewerTimeZone(), meta.data)}
          meta={meta.data}
          submitLabel={t("form.create")}
          saving={save.isPending}
          saveError={save.error}
          onSubmit={(input) =>
            save.mutate(input, {
              onSuccess: (task) => {
                markSaved(task.id, true, task.warnings);
                clearDraft(taskDraftKey(undefined));
                navigate(`/tasks/${task.id}`, { force: true });
              },
            })
          }
          onCancel={() => navigate("/tasks")}
        />
      )}
    </div>
  );
}

export function TaskEditPage({ id }: { id: number }) {
  const { t } = useI18n();
  const task = useTask(id);
  const save = useSaveTask(id);
  const meta = useMeta();
  usePageTitle(t("form.editTitle", { name: task.data?.name ?? `#${id}` }));
  return (
    <div className="page page-narrow">
      <header className="page-header">
        <div>
          <Link to={`/tasks/${id}`} className="back-link">
            ← {task.data?.name ?? t("nav.tasks")}
          </Link>
          <h1>{t("form.editTitle", { name: task.data?.name ?? `#${id}` })}</h1>
        </div>
      </header>
      {task.isPending || meta.isPending ? (
        <Spinner />
      ) : task.isError || meta.isError ? (
        <ErrorState error={task.error ?? meta.error} onRetry={() => (task.isError ? task.refetch() : meta.refetch())} />
      ) : (
        <TaskForm
          // The form copies `initial` once: a background refetch must not overwrite typing.
          key={id}
          initial={formValuesFromTask(task.data, meta.data)}
          meta={meta.data}
          taskId={id}
          secretsSet={savedSecrets(task.data, meta.data)}
          submitLabel={t("form.save")}
          saving={save.isPending}
          saveError={save.error}
          onSubmit={(input) =>
            save.mutate(input, {
              onSuccess: (saved) => {
                markSaved(id, false, saved.warnings);
                clearDraft(taskDraftKey(id));
                navigate(`/tasks/${id}`, { force: true });
              },
            })
          }
          onCancel={() => navigate(`/tasks/${id}`)}
        />
      )}
    </div>
  );
}

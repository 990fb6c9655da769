import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { ApiError, fieldErrorsFrom } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { type Meta, moduleLabel } from "../../../lib/meta.ts";
import { type TaskFormValues, toNotificationTestInput } from "../api/task-form.ts";
import { useNotificationTest } from "../api/tasks-api.ts";

/** Sends one message through the channel as currently typed, before the task is even saved. */
export function NotifyTestButton({
  values,
  meta,
  taskId,
  onFieldErrors,
}: {
  values: TaskFormValues;
  meta: Meta;
  taskId?: number;
  onFieldErrors: (errors: Record<string, string>) => void;
}) {
  const { t } = useI18n();
  const test = useNotificationTest();

  const send = () => {
    test.mutate(toNotificationTestInput(values, meta, taskId), {
      onError: (error) => {
        if (error instanceof ApiError && error.details.length > 0)
          onFieldErrors(fieldErrorsFrom(error.details, (d) => fieldErrorText(d, t, error.code)));
      },
    });
  };

  let result: React.ReactNode = null;
  if (test.isError)
    result = <InlineAlert>{t("notifyTest.failed", { error: errorMessage(test.error, t) })}</InlineAlert>;
  else if (test.data?.ok)
    result = (
      <InlineAlert tone="success">
        {t("notifyTest.ok", { target: test.data.target, channel: moduleLabel(meta.channels, test.data.channel, t) })}
      </InlineAlert>
    );
  else if (test.data) result = <InlineAlert>{t("notifyTest.failed", { error: test.data.error ?? "" })}</InlineAlert>;

  return (
    <div className="notify-test" data-testid="notify-test">
      <Button size="sm" onClick={send} busy={test.isPending}>
        {test.isPending ? t("notifyTest.sending") : t("notifyTest.button")}
      </Button>
      {result}
    </div>
  );
}

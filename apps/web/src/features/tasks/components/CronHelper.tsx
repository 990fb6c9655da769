import { errorMessage } from "../../../components/ErrorState.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { formatDateTime } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useDebouncedValue } from "../../../lib/use-debounced-value.ts";
import { useCronPreview } from "../api/tasks-api.ts";

/** As the user types: what the expression means and when it fires next, in the task's zone. */
export function CronHelper({ cron, timezone }: { cron: string; timezone: string }) {
  const { t, lang, locale } = useI18n();
  const debouncedCron = useDebouncedValue(cron, 400);
  const debouncedZone = useDebouncedValue(timezone, 400);
  const preview = useCronPreview(debouncedCron, debouncedZone, lang === "zh" ? "zh_CN" : "en");
  const typing = cron.trim() !== debouncedCron.trim() || timezone !== debouncedZone;

  let body: React.ReactNode;
  if (!cron.trim()) {
    body = <p className="muted">{t("cron.typeOne")}</p>;
  } else if (preview.isError) {
    const err = preview.error;
    const message =
      err instanceof ApiError && err.details.length > 0
        ? err.details.map((d) => fieldErrorText(d, t, err.code)).join("; ")
        : errorMessage(err, t);
    body = (
      <p className="cron-error" data-testid="cron-preview-error">
        {t("cron.invalid", { message })}
      </p>
    );
  } else if (preview.data) {
    const zone = preview.data.timezone || debouncedZone || undefined;
    body = (
      <>
        <p className="cron-description" data-testid="cron-description">
          {preview.data.description}
        </p>
        <p className="cron-next-title">{t("cron.nextRuns", { zone: zone ?? "" })}</p>
        <ol className="cron-next" data-testid="cron-next-runs">
          {preview.data.nextRuns.map((iso) => (
            <li key={iso}>
              <time dateTime={iso} title={formatDateTime(iso, locale)}>
                {formatDateTime(iso, locale, zone)}
              </time>
            </li>
          ))}
        </ol>
      </>
    );
  } else {
    body = <p className="muted">{t("cron.checking")}</p>;
  }

  return (
    <section
      className="cron-helper"
      aria-label={t("cron.preview")}
      aria-live="polite"
      aria-busy={typing || preview.isFetching}
      data-testid="cron-preview"
    >
      {body}
    </section>
  );
}

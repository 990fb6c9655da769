import { formatDateTime } from "../lib/format.ts";
import { useI18n } from "../lib/i18n/index.tsx";

/**
 * An instant in the viewer's zone; hovering shows it in `zone` (the task's zone) as well,
 * because schedules are written in the task's zone.
 */
export function DateTime({ value, zone }: { value: string | null | undefined; zone?: string }) {
  const { t, locale } = useI18n();
  if (!value) return <span className="muted">{t("common.none")}</span>;
  const title = zone ? `${formatDateTime(value, locale, zone)} (${zone})` : value;
  return (
    <time dateTime={value} title={title}>
      {formatDateTime(value, locale)}
    </time>
  );
}

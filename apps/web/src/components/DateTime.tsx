import { formatDateTime, showsInZone, zoneLabel } from "../lib/format.ts";
import { useI18n } from "../lib/i18n/index.tsx";

/**
 * An instant with its zone shown next to it. With `zone` (a task's zone) it is shown in that zone,
 * as the task's cron reads ("03:00 Asia/Shanghai"); without, in the viewer's zone with its offset
 * ("GMT+8"). Hovering shows the other reading.
 */
export function DateTime({ value, zone }: { value: string | null | undefined; zone?: string }) {
  const { t, locale } = useI18n();
  if (!value) return <span className="muted">{t("common.none")}</span>;
  const inZone = showsInZone(zone) ? zone : undefined;
  const title = inZone ? `${formatDateTime(value, locale)} ${zoneLabel(value, locale)}` : value;
  return (
    <time dateTime={value} title={title}>
      {formatDateTime(value, locale, inZone)} <span className="tz-label">{zoneLabel(value, locale, inZone)}</span>
    </time>
  );
}

import type { RunStatus } from "@crondeck/core";
import { useI18n } from "../lib/i18n/index.tsx";

const tone: Record<RunStatus, string> = {
  QUEUED: "neutral",
  RUNNING: "info",
  SUCCEEDED: "success",
  FAILED: "danger",
  TIMED_OUT: "danger",
  CANCELED: "neutral",
  SKIPPED: "muted",
  LOST: "warning",
};

/** A run status as a coloured pill; the text carries the meaning, the colour only repeats it. */
export function StatusBadge({ status, title }: { status: RunStatus; title?: string }) {
  const { t } = useI18n();
  return (
    <span
      className={`badge badge-${tone[status] ?? "neutral"}`}
      data-status={status}
      data-testid="status-badge"
      title={title}
    >
      <span className="badge-dot" aria-hidden="true" />
      {t(`status.${status}`)}
    </span>
  );
}

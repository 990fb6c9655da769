import type { RunListItem } from "@crondeck/api-client";
import { formatDuration } from "../lib/format.ts";
import type { Translate } from "../lib/i18n/index.tsx";
import { Link } from "../lib/router.tsx";
import { runErrorText } from "../lib/run-errors.ts";
import { DateTime } from "./DateTime.tsx";
import { StatusBadge } from "./StatusBadge.tsx";
import type { Column } from "./Table.tsx";

// The columns every list of runs shows the same way (a task's history, the Runs page).

type RunRow = Pick<RunListItem, "id" | "status" | "trigger" | "attempt" | "scheduledAt" | "durationMs"> &
  Partial<Pick<RunListItem, "error" | "errorCode" | "errorParams">>;

/** Run (linked), status, trigger, attempt, scheduled (in `zone` when given), duration. */
export function runColumns<T extends RunRow>(
  t: Translate,
  zone?: string,
): Record<"id" | "status" | "trigger" | "attempt" | "scheduled" | "duration", Column<T>> {
  return {
    id: {
      key: "id",
      header: t("runs.col.run"),
      cell: (run) => (
        <Link to={`/runs/${run.id}`} data-testid="run-link">
          {t("runs.view", { id: run.id })}
        </Link>
      ),
    },
    status: {
      key: "status",
      header: t("runs.col.status"),
      // The error, in the reader's language, on hover.
      cell: (run) => <StatusBadge status={run.status} title={runErrorText({ error: null, ...run }, t) ?? undefined} />,
    },
    trigger: { key: "trigger", header: t("runs.col.trigger"), cell: (run) => t(`trigger.${run.trigger}`) },
    attempt: { key: "attempt", header: t("runs.col.attempt"), cell: (run) => run.attempt },
    scheduled: {
      key: "scheduled",
      header: t("runs.col.scheduled"),
      cell: (run) => <DateTime value={run.scheduledAt} zone={zone} />,
    },
    duration: { key: "duration", header: t("runs.col.duration"), cell: (run) => formatDuration(run.durationMs, t) },
  };
}

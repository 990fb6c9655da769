import { type ReactNode, useEffect, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { ErrorState, errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { formatDuration } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { metaField, moduleLabel, textIn, useMeta } from "../../../lib/meta.ts";
import { Link } from "../../../lib/router.tsx";
import { runErrorText } from "../../../lib/run-errors.ts";
import { useCan } from "../../../lib/session.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import {
  isFinal,
  type NotificationRecord,
  type RunAttempt,
  type RunDetail,
  useCancelRun,
  useRun,
  useRunStream,
  useRunTask,
} from "../api/runs-api.ts";
import { RunOutput } from "./RunOutput.tsx";

export function RunPage({ id }: { id: number }) {
  const { t } = useI18n();
  const [streaming, setStreaming] = useState(false);
  const run = useRun(id, streaming);
  usePageTitle(t("run.title", { id }));
  const unfinished = run.data ? !isFinal(run.data) : false;
  const stream = useRunStream(id, unfinished);
  const task = useRunTask(run.data?.taskId);
  const cancel = useCancelRun(id);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const canCancel = useCan("run.cancel");
  const meta = useMeta();

  useEffect(() => setStreaming(stream.live), [stream.live]);

  if (run.isPending) return <Spinner />;
  if (run.isError)
    return (
      <div className="page">
        <ErrorState error={run.error} onRetry={() => run.refetch()} />
      </div>
    );
  const data = run.data;
  const zone = task.data?.timezone;
  const output = stream.text ?? data.output ?? "";

  const facts: { label: string; value: ReactNode }[] = [
    { label: t("run.status"), value: <StatusBadge status={data.status} /> },
    {
      label: t("run.trigger"),
      value: data.triggeredBy ? (
        <span data-testid="run-triggered-by">
          {t(`trigger.${data.trigger}`)} ·{" "}
          <Link to={`/runs/${data.triggeredBy.runId}`}>
            {t("run.triggeredBy", { id: data.triggeredBy.runId, task: data.triggeredBy.taskName })}
          </Link>
        </span>
      ) : (
        t(`trigger.${data.trigger}`)
      ),
    },
    {
      label: t("run.attempt"),
      value: t("run.attemptOf", { attempt: data.attempt, max: data.maxAttempts ?? data.attempt }),
    },
    { label: t("run.scheduled"), value: <DateTime value={data.scheduledAt} zone={zone} /> },
    { label: t("run.started"), value: <DateTime value={data.startedAt} zone={zone} /> },
    { label: t("run.finished"), value: <DateTime value={data.finishedAt} zone={zone} /> },
    { label: t("run.duration"), value: formatDuration(data.durationMs, t) },
  ];
  if (data.exitCode != null)
    facts.push({ label: t("run.exitCode"), value: <code className="mono">{data.exitCode}</code> });
  if (data.httpStatus != null)
    facts.push({ label: t("run.httpStatus"), value: <code className="mono">{data.httpStatus}</code> });
  if (data.executor) facts.push({ label: t("run.executor"), value: data.executor });
  if (data.matchedKeywords?.length)
    facts.push({ label: t("run.matchedKeywords"), value: data.matchedKeywords.join(", ") });
  // A manual run's own parameters: the environment first, then each field its mode let it override.
  const { env, ...overrides } = data.parameters ?? {};
  if (env && Object.keys(env).length > 0)
    facts.push({ label: t("run.paramEnv"), value: parameterValue(formatLines(env, "="), "run-param-env") });
  for (const [name, value] of Object.entries(overrides)) {
    const declared = metaField(name, meta.data ?? null);
    facts.push({
      label: t("run.paramField", { field: declared ? textIn(declared.label, t) : name }),
      value: parameterValue(
        value !== null && typeof value === "object"
          ? formatLines(value as Record<string, unknown>, ": ")
          : String(value),
        `run-param-${name}`,
      ),
    });
  }

  // What needs reading before the output: the error, and how this run relates to the others.
  const hasNotices = Boolean(data.error || data.blockedBy || data.nextAttemptAt || (data.attempts?.length ?? 0) > 1);

  return (
    <div className="page run-page">
      <header className="page-header">
        <div>
          <Link to={`/tasks/${data.taskId}`} className="back-link">
            ← {task.data?.name ?? t("run.taskLink", { id: data.taskId })}
          </Link>
          <h1>
            {t("run.title", { id: data.id })}{" "}
            <span data-testid="run-status">
              <StatusBadge status={data.status} />
            </span>
          </h1>
        </div>
        {canCancel && !isFinal(data) ? (
          <div className="header-actions">
            <Button variant="danger" onClick={() => setConfirmCancel(true)} data-testid="cancel-run">
              {t("run.cancel")}
            </Button>
          </div>
        ) : null}
      </header>
      {cancel.isError ? (
        <InlineAlert>{t("run.cancelFailed", { message: errorMessage(cancel.error, t) })}</InlineAlert>
      ) : null}

      {hasNotices ? (
        <section className="card run-notices">
          {data.error ? (
            <p className="run-error" role="note">
              <strong>{t("run.error")}:</strong>{" "}
              <span title={data.error} data-testid="run-error" data-code={data.errorCode ?? undefined}>
                {runErrorText(data, t)}
              </span>
            </p>
          ) : null}
          {data.blockedBy ? (
            <p className="notice" data-testid="run-blocked-by">
              {t("run.blockedBy", { id: data.blockedBy })}{" "}
              <Link to={`/runs/${data.blockedBy}`}>{t("run.blockedByLink", { id: data.blockedBy })}</Link>
            </p>
          ) : null}
          {data.nextAttemptAt ? (
            <RetryCountdown due={data.nextAttemptAt} attempt={data.attempt} max={data.maxAttempts ?? 1} />
          ) : null}
          {data.attempts && data.attempts.length > 1 ? (
            <AttemptLinks attempts={data.attempts} current={data.id} />
          ) : null}
        </section>
      ) : null}

      {/* On phones the output comes first and these facts after it (CSS order): nothing here takes focus. */}
      <section className="card run-facts" data-testid="run-facts" aria-label={t("run.details")}>
        <dl className="facts">
          {facts.map(({ label, value }) => (
            <div key={label} className="fact">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <RunOutput
        runId={data.id}
        output={output}
        live={stream.live}
        finished={isFinal(data)}
        truncated={data.truncated}
        bytes={data.outputBytes}
        full={data.fullOutput}
      />

      <NotificationsSection notifications={data.notifications} pending={data.notificationPending} zone={zone} />

      {confirmCancel ? (
        <ConfirmDialog
          title={t("run.cancelTitle")}
          body={t("run.cancelBody")}
          confirmLabel={t("run.cancelConfirm")}
          busy={cancel.isPending}
          onCancel={() => setConfirmCancel(false)}
          onConfirm={() => cancel.mutate(undefined, { onSettled: () => setConfirmCancel(false) })}
        />
      ) : null}
    </div>
  );
}

/** "Retry in N s (attempt 1 of 3)": counts down to the due time, then says the next attempt is starting. */
/** `NAME=value` (or `Key: Value`) lines of a recorded map parameter. */
function formatLines(map: Record<string, unknown>, separator: string): string {
  return Object.entries(map)
    .map(([key, value]) => `${key}${separator}${String(value)}`)
    .join("\n");
}

function parameterValue(text: string, testId: string): ReactNode {
  return (
    <code className="mono pre-wrap" data-testid={testId}>
      {text}
    </code>
  );
}

function RetryCountdown({ due, attempt, max }: { due: string; attempt: number; max: number }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.ceil((Date.parse(due) - now) / 1000);
  return (
    <p className="notice" role="status" data-testid="run-retry">
      {seconds > 0 ? t("run.retryIn", { seconds, attempt, max }) : t("run.retryingNow", { attempt: attempt + 1, max })}
    </p>
  );
}

function AttemptLinks({ attempts, current }: { attempts: RunAttempt[]; current: number }) {
  const { t } = useI18n();
  return (
    <nav className="attempt-links" aria-label={t("run.attempts")} data-testid="run-attempts">
      <span className="muted">{t("run.attempts")}:</span>
      {attempts.map((a) =>
        a.id === current ? (
          <span key={a.id} aria-current="page" className="attempt-link current">
            {t("run.attemptLink", { attempt: a.attempt })} <StatusBadge status={a.status} />
          </span>
        ) : (
          <Link key={a.id} to={`/runs/${a.id}`} className="attempt-link">
            {t("run.attemptLink", { attempt: a.attempt })} <StatusBadge status={a.status} />
          </Link>
        ),
      )}
    </nav>
  );
}

function NotificationsSection({
  notifications,
  pending,
  zone,
}: {
  notifications: RunDetail["notifications"];
  pending?: boolean;
  zone?: string;
}) {
  const { t } = useI18n();
  // A channel the server no longer knows is shown by its name: old runs keep theirs.
  const meta = useMeta();
  const columns: Column<NotificationRecord>[] = [
    {
      key: "channel",
      header: t("notif.col.channel"),
      cell: (n) => moduleLabel(meta.data?.channels, n.channel, t),
    },
    { key: "target", header: t("notif.col.target"), cell: (n) => <span className="break">{n.target}</span> },
    {
      key: "result",
      header: t("notif.col.result"),
      cell: (n) =>
        n.ok ? (
          <span className="badge badge-success">{t("notif.ok")}</span>
        ) : (
          <span className="badge badge-danger" title={n.error ?? undefined}>
            {t("notif.failed")}
            {n.error ? `: ${n.error}` : ""}
          </span>
        ),
    },
    { key: "attempts", header: t("notif.col.attempts"), cell: (n) => n.attempts },
    { key: "sentAt", header: t("notif.col.sentAt"), cell: (n) => <DateTime value={n.sentAt} zone={zone} /> },
  ];
  return (
    <section className="card run-notifications" aria-labelledby="notifications-title">
      <h2 id="notifications-title">{t("run.notifications")}</h2>
      {notifications && notifications.length > 0 ? (
        <Table
          columns={columns}
          rows={notifications}
          rowKey={(n) => `${n.channel}:${n.target}:${n.sentAt}`}
          caption={t("run.notifications")}
          testId="notifications-table"
        />
      ) : pending ? (
        <p className="muted" role="status" data-testid="notification-pending">
          {t("run.notificationPending")}
        </p>
      ) : (
        <EmptyState title={t("run.noNotifications")} />
      )}
    </section>
  );
}

// Why an attempt did not succeed, as a stable code with its parameters next to the English
// `error` text: the text stays for API users and logs, the dashboard says it in the reader's
// language from the code (as field errors do, see field-errors.ts). Every producer (the
// executor's modes, the worker, NATS dispatch, the engine, the reaper) takes its code from here.

/** Every code a run's error may carry (the dashboard translates each; params noted). */
export const RUN_ERROR_CODES = [
  /** SHELL: `{ code }` — the shell exited with a non-zero code. */
  "EXIT_CODE",
  /** SHELL: `{ signal }` — the shell was killed by a signal nobody here sent. */
  "KILLED_BY_SIGNAL",
  /** SHELL: `{ cwd, reason }` — the shell could not be started. */
  "SPAWN_FAILED",
  /** `{ seconds }` — the task's timeout ended the attempt. */
  "TIMED_OUT",
  /** Canceled, by whom not known (an old executor's result). */
  "CANCELED",
  "CANCELED_BY_USER",
  /** This Crondeck process was stopping. */
  "CANCELED_SHUTDOWN",
  /** The executor running it was stopping (drain time over). */
  "CANCELED_EXECUTOR_SHUTDOWN",
  /** A slot handed ahead to executors was canceled because its task changed. */
  "CANCELED_TASK_CHANGED",
  /** HTTP: `{ status, statusText }` — an answer other than 2xx or 3xx. */
  "HTTP_STATUS",
  /** HTTP: `{ status, location }` — a redirect, which is not followed. */
  "HTTP_REDIRECT",
  /** HTTP: `{ address }` — nothing listens there. */
  "HTTP_CONNECTION_REFUSED",
  /** HTTP: `{ host }` — the host name does not resolve. */
  "HTTP_HOST_NOT_FOUND",
  /** HTTP: `{ reason }` — the URL (after `${NAME}` expansion) is not one that can be requested. */
  "HTTP_INVALID_URL",
  /** HTTP: `{ reason }` — the request failed before an answer came (network). */
  "HTTP_REQUEST_FAILED",
  /** HTTP: `{ status, reason }` — the answer began but its body could not be read to the end. */
  "HTTP_RESPONSE_FAILED",
  /** `{ mode, known }` — the executor does not know the task's mode (an older executor). */
  "UNKNOWN_MODE",
  /** `{ reason }` — the attempt as handed over could not be run (a bug, not the task's). */
  "INVALID_REQUEST",
  /** `{ reason }` — anything else that went wrong in the executor. */
  "EXECUTOR_ERROR",
  /** `{ reason }` — the local worker process died under the attempt. */
  "WORKER_STOPPED",
  /** `{ names }` — the task references secrets that do not exist. */
  "SECRET_MISSING",
  /** `{ name }` — the task references a secret, and the secrets store is off. */
  "SECRETS_DISABLED",
  /** `{ reason }` — NATS did not take the attempt. */
  "NATS_UNREACHABLE",
  /** `{ group, seconds }` — no executor of the group started it within the dispatch timeout. */
  "NO_LIVE_EXECUTOR",
  /** The process running it stopped answering (died, lost its database or the network). */
  "LOST",
  /** SKIPPED: another run of the task was under way (concurrency policy FORBID). */
  "SKIPPED_FORBID",
  /** SKIPPED: `{ policy }` — the database could not be reached when the slot came due. */
  "MISSED_DB_UNREACHABLE",
  /** SKIPPED: claimed while the database was failing, and never started. */
  "MISSED_ABANDONED_CLAIM",
  /** SKIPPED: `{ owner, seconds, policy }` — the instance that claimed the slot stopped first. */
  "MISSED_OWNER_STOPPED",
] as const;
export type RunErrorCode = (typeof RUN_ERROR_CODES)[number];
export type RunErrorParams = Record<string, string | number>;

/** A run's error: the English `message` (the run's `error`) and the code and params that say it. */
export interface RunError {
  message: string;
  code: RunErrorCode;
  params: RunErrorParams | null;
}

export function runError(code: RunErrorCode, message: string, params?: RunErrorParams): RunError {
  return { message, code, params: params ?? null };
}

export function isRunErrorCode(value: unknown): value is RunErrorCode {
  return typeof value === "string" && (RUN_ERROR_CODES as readonly string[]).includes(value);
}

/**
 * A failure thrown on the way to running an attempt (a dead worker, NATS away, a missing secret)
 * that already knows its run error; the run job records that error rather than a generic one.
 */
export class RunErrorException extends Error {
  constructor(readonly runError: RunError) {
    super(runError.message);
  }
}

export const CANCELED_BY_USER: RunError = runError("CANCELED_BY_USER", "canceled by a user");

/**
 * An attempt's cancel as its run records it: who canceled it (`reason`), then what the executor
 * said ("canceled by a user: canceled"); the code is the reason's, which says more.
 */
export function canceledBy(reason: RunError, executorSaid: string | null): RunError {
  return { ...reason, message: executorSaid ? `${reason.message}: ${executorSaid}` : reason.message };
}

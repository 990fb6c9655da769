import type { RunErrorCode, RunErrorParams, RunStatus, Settings } from "@crondeck/core";
import type { Dispatcher } from "undici";
import type { FullOutput } from "./full-output.ts";

/** The final states one attempt can end in (a subset of the run statuses). */
export type AttemptStatus = Extract<RunStatus, "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "CANCELED">;

/** One attempt of a task, as the engine hands it over. */
export interface ExecutionRequest {
  runId: number;
  taskId: number;
  scheduledAt: Date;
  attempt: number;
  /** The task mode (a ModeRegistry name) that runs it. */
  mode: string;
  /** The mode's settings as stored on the task (JSON data, checked by the mode when saved). */
  settings: Settings;
  /** The task's environment (NAME → value), secrets resolved: SHELL variables, ${NAME} in HTTP. */
  env?: Record<string, string>;
  /** Secret values resolved into settings or env: masked as *** in the output and the error. */
  mask?: string[];
  /** May be fractional; must be > 0. */
  timeoutSeconds: number;
  /** Derived by the caller from the fire; sent as the `Idempotency-Key` header on HTTP. */
  idempotencyKey: string;
  /** Bytes of output kept (head + tail); default 64 KiB. */
  outputLimitBytes?: number;
  /**
   * Also keep the whole output, gzip-compressed, up to this many bytes (its middle dropped beyond):
   * returned as `fullOutput` when the head and tail did not hold it all. 0 or absent: not kept.
   */
  fullOutputMaxBytes?: number;
}

export interface ExecutionResult {
  status: AttemptStatus;
  exitCode: number | null;
  httpStatus: number | null;
  output: string;
  truncated: boolean;
  /** Total bytes produced, including the ones not kept. */
  outputBytes: number;
  /** The whole output, compressed, when asked for (fullOutputMaxBytes) and longer than `output`. */
  fullOutput?: FullOutput;
  /** Why it did not succeed, in English; null when it did. */
  error: string | null;
  /** The same as a code and its params (see RUN_ERROR_CODES); null with `error`. */
  errorCode: RunErrorCode | null;
  errorParams: RunErrorParams | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

export interface ExecutionHooks {
  /** Aborting it cancels the attempt (status CANCELED). */
  signal?: AbortSignal;
  /** Live output as decoded text, chunk by chunk (for SSE). Never sees truncation: it gets everything. */
  onOutput?: (text: string) => void;
  /** Live output that was skipped on its way (a worker's backed-up channel); the result keeps it. */
  onGap?: (skippedBytes: number) => void;
  /** SHELL: the process group of the attempt, once started (a successor on this host may stop it). */
  onSpawn?: (pgid: number) => void;
}

/** Knobs for the executor process itself, not for a task. */
export interface ExecutorOptions {
  /** Wait between SIGTERM and SIGKILL to a SHELL run's process group. Default 2000 ms. */
  killGraceMs?: number;
  /** Working directory of SHELL runs. Default: `CRONDECK_SHELL_CWD`, else `os.tmpdir()`. */
  shellCwd?: string;
  /** undici dispatcher for HTTP runs. Default: undici's global one. */
  dispatcher?: Dispatcher;
}

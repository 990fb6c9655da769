import { isRunErrorCode } from "@crondeck/core";
import type { ExecutionRequest, ExecutionResult } from "@crondeck/executor";

/**
 * The one protocol between the control plane (which decides and records) and a worker (which runs
 * attempts). Messages are plain JSON data, so the same shapes can travel over a local IPC channel
 * today and a broker tomorrow: dates travel as ISO strings.
 */

/** One attempt to run: everything the worker needs, nothing it must look up. */
export type RunEnvelope = Omit<ExecutionRequest, "scheduledAt"> & { scheduledAt: string };

/**
 * An attempt's outcome, as the worker reports it. `errorCode` and `errorParams` are optional: a
 * result from an executor older than run error codes has only the English `error`.
 */
export type ResultEnvelope = Omit<
  ExecutionResult,
  "startedAt" | "finishedAt" | "errorCode" | "errorParams" | "fullOutput"
> & {
  errorCode?: ExecutionResult["errorCode"];
  errorParams?: ExecutionResult["errorParams"];
  startedAt: string;
  finishedAt: string;
  /** The whole output's gzip file as base64 (JSON carries no bytes). */
  fullOutput?: { gzip: string; bytes: number; capped: boolean };
};

/** Control plane → worker. */
export type ToWorker = { type: "run"; run: RunEnvelope } | { type: "cancel"; runId: number };

/** Worker → control plane. */
export type FromWorker =
  | { type: "ready"; pid: number }
  /** The attempt's process group (SHELL), so a successor on the host can stop what is left of it. */
  | { type: "spawned"; runId: number; pgid: number }
  | { type: "output"; runId: number; text: string }
  /** Live output the worker did not forward because the channel was backed up (the result keeps it). */
  | { type: "gap"; runId: number; skippedBytes: number }
  | { type: "result"; runId: number; result: ResultEnvelope };

export function toEnvelope(request: ExecutionRequest): RunEnvelope {
  return { ...request, scheduledAt: request.scheduledAt.toISOString() };
}

export function fromEnvelope(run: RunEnvelope): ExecutionRequest {
  return { ...run, scheduledAt: new Date(run.scheduledAt) };
}

export function toResultEnvelope(result: ExecutionResult): ResultEnvelope {
  const { fullOutput, ...rest } = result;
  return {
    ...rest,
    ...(fullOutput ? { fullOutput: { ...fullOutput, gzip: fullOutput.gzip.toString("base64") } } : {}),
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
  };
}

export function fromResultEnvelope(result: ResultEnvelope): ExecutionResult {
  const { fullOutput, ...rest } = result;
  return {
    ...rest,
    // An unknown code (a newer executor's) is dropped with its params; the English error stays.
    errorCode: isRunErrorCode(result.errorCode) ? result.errorCode : null,
    errorParams: isRunErrorCode(result.errorCode) ? (result.errorParams ?? null) : null,
    ...(fullOutput ? { fullOutput: { ...fullOutput, gzip: Buffer.from(fullOutput.gzip, "base64") } } : {}),
    startedAt: new Date(result.startedAt),
    finishedAt: new Date(result.finishedAt),
  };
}

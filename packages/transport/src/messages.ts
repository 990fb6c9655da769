import type { ResultEnvelope, RunEnvelope } from "@crondeck/worker";

/**
 * What travels over NATS, around the worker protocol's envelopes (@crondeck/worker): JSON bodies,
 * dates as ISO strings.
 */

/** An attempt published to its group's subject. */
export interface DispatchedRun {
  run: RunEnvelope;
  group: string;
  /** The bootId of the control-plane instance that owns the run until an executor starts it. */
  dispatcher: string;
  /**
   * A scheduled slot published ahead of its instant (ISO): the executor that takes it reserves it
   * at once and starts it at this instant, with no round trip left on the way.
   */
  notBefore?: string;
}

/**
 * Executor → control plane, before it runs anything: may I start this attempt? The answer moves
 * the run to the executor in the database, once; a redelivered message gets "no", so an attempt
 * is never executed twice silently.
 */
export interface StartRequest {
  runId: number;
  dispatcher: string;
  executor: string;
  executorBootId: string;
  /** Reserve it for a start at its instant (published ahead), rather than start it now. */
  reserve?: boolean;
}

export interface StartReply {
  ok: boolean;
  reason?: string;
}

/** Executor → control plane, durably (RESULTS stream): an attempt's outcome. */
export interface ResultMessage {
  type?: "result";
  runId: number;
  taskId: number;
  executor: string;
  executorBootId: string;
  /** Without `fullOutput`: the file travels apart (see full-output.ts) and `fullOutput` below names it. */
  result: ResultEnvelope;
  fullOutput?: FullOutputRef;
}

/** The parts of a run's whole output on the FULL_OUTPUT stream. */
export interface FullOutputRef {
  parts: number;
  compressedBytes: number;
  /** Bytes decompressed, and whether its middle was dropped (as the executor's FullOutput says). */
  bytes: number;
  capped: boolean;
}

/** Executor → control plane, durably (RESULTS stream): a reserved attempt started at its instant. */
export interface StartedMessage {
  type: "started";
  runId: number;
  executorBootId: string;
  /** The executor's clock when it started the attempt (ISO). */
  startedAt: string;
}

export type RecordMessage = ResultMessage | StartedMessage;

/** Control plane → executors. */
export interface CancelMessage {
  runId: number;
  /** Why, as the run's error will say ("canceled by a user"). */
  reason: string;
  /** The same as a run error code (CANCELED_BY_USER, …); absent from older control planes. */
  code?: string;
}

/** Executor → whoever follows the run (live only; the result keeps the output). */
export type OutputMessage = { text: string } | { skippedBytes: number };

/** An executor's registry entry (KV), put at every heartbeat. */
export interface ExecutorEntry {
  name: string;
  /** New at every start of the process: runs it took carry it as their owner. */
  bootId: string;
  host: string;
  /** The groups it serves (its own name first). */
  groups: string[];
  version: string;
  concurrency: number;
  running: number;
  startedAt: string;
  pid: number;
}

/** Executors' bootIds are told apart from control-plane instances' by this prefix. */
export const EXECUTOR_BOOT_PREFIX = "x-";

export function encode(value: unknown): string {
  return JSON.stringify(value);
}

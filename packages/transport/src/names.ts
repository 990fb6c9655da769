/**
 * Every name Crondeck uses on NATS, in one place: the control plane and the executors must agree.
 *
 * - Stream RUNS (work queue): `crondeck.runs.<group>`; each group has one durable pull consumer
 *   shared by its executors, so each attempt goes to exactly one of them.
 * - Stream RESULTS (work queue): `crondeck.results`; one durable consumer shared by every
 *   control-plane instance, so each result is recorded by exactly one of them, after restarts too.
 * - Core subjects (no storage): the start handshake, cancel, live output.
 * - KV bucket EXECUTORS: the registry, one key per executor, expiring with its heartbeat.
 */
export const RUNS_STREAM = "CRONDECK_RUNS";
export const RESULTS_STREAM = "CRONDECK_RESULTS";
export const RESULTS_SUBJECT = "crondeck.results";
export const RECORDER_CONSUMER = "recorder";
/** Stream FULL_OUTPUT (limits, a day): `crondeck.fulloutput.<runId>.<part>`, see full-output.ts. */
export const FULL_OUTPUT_STREAM = "CRONDECK_FULL_OUTPUT";
/** Request/reply, served by a queue group of every control-plane instance. */
export const START_SUBJECT = "crondeck.start";
export const CONTROL_PLANE_QUEUE = "control-plane";
/** Broadcast to every executor: the one running the attempt stops it. */
export const CANCEL_SUBJECT = "crondeck.cancel";
export const EXECUTORS_BUCKET = "crondeck_executors";
/** Window in which a second publish of the same attempt (or result) is dropped by the server. */
export const DUPLICATE_WINDOW_MS = 120_000;

/**
 * A group or executor name as one subject token and consumer name: letters, digits and `-` stay,
 * anything else (`.` `:` `_` …) becomes `_` and two hex digits, so distinct names stay distinct.
 */
export function token(name: string): string {
  return [...Buffer.from(name, "utf8")]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9-]/.test(c) ? c : `_${byte.toString(16).padStart(2, "0")}`;
    })
    .join("");
}

export function runSubject(group: string): string {
  return `crondeck.runs.${token(group)}`;
}

export function groupConsumer(group: string): string {
  return `group_${token(group)}`;
}

export function outputSubject(runId: number): string {
  return `crondeck.output.${runId}`;
}

export function fullOutputSubject(runId: number, part: number): string {
  return `crondeck.fulloutput.${runId}.${part}`;
}

export function fullOutputFilter(runId: number): string {
  return `crondeck.fulloutput.${runId}.>`;
}

/** Message ids the server deduplicates on: a retried publish never makes a second copy. */
export const runMsgId = (runId: number) => `run-${runId}`;
export const resultMsgId = (runId: number) => `result-${runId}`;
export const startedMsgId = (runId: number) => `started-${runId}`;

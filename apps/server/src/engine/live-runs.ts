import { FINAL_RUN_STATUSES, type Run } from "@crondeck/core";
import { OutputBuffer } from "@crondeck/executor";

export type LiveEvent = { type: "output"; text: string } | { type: "status"; run: Run };
export type LiveListener = (event: LiveEvent) => void;

interface LiveRun {
  taskId: number;
  output: OutputBuffer;
  listeners: Set<LiveListener>;
  cancel: (reason: string) => void;
}

/**
 * The runs executing in this process: their output so far (capped like the stored output), the
 * SSE listeners following them, and how to cancel them.
 */
export class LiveRuns {
  readonly #runs = new Map<number, LiveRun>();

  constructor(private readonly outputLimitBytes: number) {}

  add(runId: number, taskId: number, cancel: (reason: string) => void): void {
    this.#runs.set(runId, { taskId, output: new OutputBuffer(this.outputLimitBytes), listeners: new Set(), cancel });
  }

  output(runId: number, text: string): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    run.output.write(text);
    for (const listener of run.listeners) listener({ type: "output", text });
  }

  /** Tells followers about a status change; a final status ends the live run. */
  status(run: Run): void {
    const live = this.#runs.get(run.id);
    if (!live) return;
    for (const listener of live.listeners) listener({ type: "status", run });
    if (FINAL_RUN_STATUSES.includes(run.status)) this.#runs.delete(run.id);
  }

  /** Drops a run without a final event (e.g. its record could not be written). */
  remove(runId: number): void {
    this.#runs.delete(runId);
  }

  /** Subscribes to a live run; returns the output so far and an unsubscribe, or null if not live here. */
  follow(runId: number, listener: LiveListener): { output: string; unsubscribe: () => void } | null {
    const run = this.#runs.get(runId);
    if (!run) return null;
    run.listeners.add(listener);
    return { output: run.output.toString(), unsubscribe: () => run.listeners.delete(listener) };
  }

  snapshot(runId: number): { output: string; truncated: boolean; outputBytes: number } | null {
    const run = this.#runs.get(runId);
    if (!run) return null;
    return { output: run.output.toString(), truncated: run.output.truncated, outputBytes: run.output.totalBytes };
  }

  cancel(runId: number, reason: string): boolean {
    const run = this.#runs.get(runId);
    if (!run) return false;
    run.cancel(reason);
    return true;
  }

  ids(): number[] {
    return [...this.#runs.keys()];
  }

  activeForTask(taskId: number): boolean {
    for (const run of this.#runs.values()) if (run.taskId === taskId) return true;
    return false;
  }
}

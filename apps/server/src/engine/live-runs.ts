import { FINAL_RUN_STATUSES, type RunStatus } from "@crondeck/core";
import { OutputBuffer } from "@crondeck/executor";
import type { Run } from "../routes/api/runs/schema.ts";

export type LiveEvent =
  | { type: "output"; text: string }
  /** Live output the worker skipped (its channel was backed up); the stored output keeps it. */
  | { type: "gap"; skippedBytes: number }
  | { type: "status"; run: Run };
export type LiveListener = (event: LiveEvent) => void;

interface LiveRun {
  taskId: number;
  output: OutputBuffer;
  listeners: Set<LiveListener>;
  cancel: (reason: string) => void;
  /** The attempt itself is over (its record may still wait for the database). */
  ended: boolean;
}

/**
 * The runs executing in this process: their output so far (capped like the stored output), the
 * SSE listeners following them, and how to cancel them.
 */
export class LiveRuns {
  readonly #runs = new Map<number, LiveRun>();
  /** Live runs per task, so the FORBID check of a fire costs no scan of every live run. */
  readonly #perTask = new Map<number, number>();

  constructor(private readonly outputLimitBytes: number) {}

  add(runId: number, taskId: number, cancel: (reason: string) => void): void {
    if (this.#runs.has(runId)) this.remove(runId);
    this.#runs.set(runId, {
      taskId,
      output: new OutputBuffer(this.outputLimitBytes),
      listeners: new Set(),
      cancel,
      ended: false,
    });
    this.#perTask.set(taskId, (this.#perTask.get(taskId) ?? 0) + 1);
  }

  output(runId: number, text: string): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    run.output.write(text);
    for (const listener of run.listeners) listener({ type: "output", text });
  }

  gap(runId: number, skippedBytes: number): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    for (const listener of run.listeners) listener({ type: "gap", skippedBytes });
  }

  /**
   * Tells followers about a status change; a final status ends the live run. The API view is
   * built only when someone follows the run (most runs have nobody watching).
   */
  status(runId: number, status: RunStatus, view: () => Run): void {
    const live = this.#runs.get(runId);
    if (!live) return;
    if (live.listeners.size > 0) {
      const run = view();
      for (const listener of live.listeners) listener({ type: "status", run });
    }
    if (FINAL_RUN_STATUSES.includes(status)) this.remove(runId);
  }

  /**
   * The attempt is over: it no longer counts for FORBID, though followers keep it until its final
   * status is recorded.
   */
  ended(runId: number): void {
    const run = this.#runs.get(runId);
    if (!run || run.ended) return;
    run.ended = true;
    this.#uncount(run.taskId);
  }

  /** Drops a run (after its final status, or without one when its record could not be written). */
  remove(runId: number): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    this.#runs.delete(runId);
    if (!run.ended) this.#uncount(run.taskId);
  }

  #uncount(taskId: number): void {
    const left = (this.#perTask.get(taskId) ?? 1) - 1;
    if (left > 0) this.#perTask.set(taskId, left);
    else this.#perTask.delete(taskId);
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

  /** Whether the run's attempt is over here while its record is still being written. */
  isEnded(runId: number): boolean {
    return this.#runs.get(runId)?.ended === true;
  }

  has(runId: number): boolean {
    return this.#runs.has(runId);
  }

  ids(): number[] {
    return [...this.#runs.keys()];
  }

  activeForTask(taskId: number): boolean {
    return this.#perTask.has(taskId);
  }
}

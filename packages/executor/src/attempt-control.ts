import { type RunError, runError } from "@crondeck/core";
import type { AttemptStatus } from "./types.ts";

export type StopReason = Extract<AttemptStatus, "TIMED_OUT" | "CANCELED">;

/**
 * One abort signal for an attempt that fires at the deadline or when the caller cancels, remembering
 * which came first so the runners can report TIMED_OUT vs CANCELED.
 */
export class AttemptControl {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly external: AbortSignal | undefined;
  private readonly onExternalAbort = () => this.stop("CANCELED");
  private stoppedBy: StopReason | null = null;

  constructor(
    readonly timeoutMs: number,
    external?: AbortSignal,
  ) {
    this.external = external;
    this.timer = setTimeout(() => this.stop("TIMED_OUT"), timeoutMs);
    if (external?.aborted) this.stop("CANCELED");
    else external?.addEventListener("abort", this.onExternalAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the attempt was stopped, or null while it was not. */
  get reason(): StopReason | null {
    return this.stoppedBy;
  }

  /** The error of a stopped attempt (the run job names who canceled it). */
  describe(reason: StopReason): RunError {
    const seconds = this.timeoutMs / 1000;
    return reason === "TIMED_OUT"
      ? runError("TIMED_OUT", `timed out after ${seconds} s`, { seconds })
      : runError("CANCELED", "canceled");
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.external?.removeEventListener("abort", this.onExternalAbort);
  }

  private stop(reason: StopReason): void {
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    clearTimeout(this.timer);
    this.controller.abort(new Error(this.describe(reason).message));
  }
}

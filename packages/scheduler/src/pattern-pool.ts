import { cronPattern } from "@crondeck/core";
import type { Cron } from "croner";

// Tasks share one paused croner object per (expression, zone): a parsed pattern costs ~2 KB, and
// 100,000 tasks usually use a few hundred distinct pairs. Reference counting frees a pair as soon
// as no task uses it, so edits to many distinct expressions do not accumulate patterns.

/** One parsed schedule, used only to compute fire instants; it never runs a timer. */
export class SharedPattern {
  refs = 0;
  // Tasks of one pattern ask for the slot after the same instant (the same start-up `now`, the
  // same slot just fired), and each croner lookup costs tens of microseconds: remember the last.
  #nextFrom = Number.NaN;
  #next: number | null = null;
  #latestUpTo = Number.NaN;
  #latest: number | null = null;

  constructor(
    readonly key: string,
    readonly cron: Cron,
  ) {}

  /** The first fire instant strictly after `afterMs` (epoch ms), or null if there is none. */
  nextAfter(afterMs: number): number | null {
    if (afterMs !== this.#nextFrom) {
      this.#next = this.cron.nextRun(new Date(afterMs))?.getTime() ?? null;
      this.#nextFrom = afterMs;
    }
    return this.#next;
  }

  /** The latest fire instant at or before `atMs`, or null if there is none. */
  latestAtOrBefore(atMs: number): number | null {
    if (atMs !== this.#latestUpTo) {
      // croner counts a run earlier in the reference's second, so +1 ms includes a slot at atMs.
      this.#latest = this.cron.previousRuns(1, new Date(atMs + 1))[0]?.getTime() ?? null;
      this.#latestUpTo = atMs;
    }
    return this.#latest;
  }
}

export class PatternPool {
  readonly #byKey = new Map<string, SharedPattern>();

  get size(): number {
    return this.#byKey.size;
  }

  /** Throws croner's error when the expression or zone is invalid. */
  acquire(expression: string, timezone: string): SharedPattern {
    const key = `${timezone}\u0000${expression.trim()}`;
    let pattern = this.#byKey.get(key);
    if (!pattern) {
      const cron = cronPattern(expression, timezone);
      cron.nextRun(); // croner checks the zone only when computing a time: fail here, not in the timer
      pattern = new SharedPattern(key, cron);
      this.#byKey.set(key, pattern);
    }
    pattern.refs++;
    return pattern;
  }

  release(pattern: SharedPattern): void {
    if (--pattern.refs <= 0) this.#byKey.delete(pattern.key);
  }

  clear(): void {
    this.#byKey.clear();
  }
}

// Tracks the runTask promises the timer path started without awaiting, so stop() can wait for
// them, and holds the abort signal they were given.

export class InFlightRuns {
  readonly #pending = new Set<Promise<void>>();
  readonly #controller = new AbortController();

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Keeps `run` until it settles; `onError` sees its rejection. The tracked promise never rejects. */
  track(run: Promise<void>, onError: (err: unknown) => void): void {
    const settled: Promise<void> = run.then(
      () => {
        this.#pending.delete(settled);
      },
      (err: unknown) => {
        this.#pending.delete(settled);
        onError(err);
      },
    );
    this.#pending.add(settled);
  }

  /**
   * Waits up to `graceMs` for every tracked run; then aborts the signal and waits for the rest to
   * settle (a run that ignores its signal keeps this waiting). Returns how many had to be aborted.
   */
  async settle(graceMs: number): Promise<number> {
    if (this.#pending.size === 0) return 0;
    const all = Promise.all([...this.#pending]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"grace-over">((resolve) => {
      timer = setTimeout(() => resolve("grace-over"), Math.max(0, graceMs));
    });
    const outcome = await Promise.race([all.then(() => "settled" as const), graceOver]);
    clearTimeout(timer);
    if (outcome === "settled") return 0;
    const aborted = this.#pending.size;
    this.#controller.abort(new DOMException("The scheduler is stopping", "AbortError"));
    await all;
    return aborted;
  }
}

import { InFlightRuns } from "./in-flight.ts";
import { PatternPool, type SharedPattern } from "./pattern-pool.ts";
import { SlotHeap } from "./slot-heap.ts";
import type { SchedulableTask, SchedulerLogger, SchedulerOptions } from "./types.ts";

// setTimeout holds at most ~24.8 days, and it runs on a monotonic clock while slots are wall-clock
// instants: a shorter cap also notices clock steps (NTP, host suspend) within half a minute.
const MAX_SLEEP_MS = 30_000;
const DEFAULT_MAX_CATCH_UP_MS = 60_000;
const DEFAULT_FIRE_BATCH_SIZE = 2_000;
const DEFAULT_STOP_GRACE_MS = 30_000;
const DEFAULT_LEAD_MS = 500;
// Re-arming leaves the old heap entry behind; rebuild once the dead ones outnumber the live ones.
const COMPACT_MIN_STALE = 1_024;

interface ArmedTask {
  task: SchedulableTask;
  pattern: SharedPattern;
  /** Matches the heap entry that is this task's live one; older entries are ignored when popped. */
  gen: number;
  nextAt: number | null;
  /** A slot taken off the heap ahead of time (within the lead) that has not fired yet. */
  pendingAt: number | null;
}

/** Slots taken off the heap within the lead, fired when their instant comes. */
interface PendingSlot {
  at: number;
  due: Array<{ armed: ArmedTask; gen: number }>;
}

type State = "stopped" | "starting" | "running";

const consoleLogger: SchedulerLogger = {
  info() {},
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

/**
 * Fires every armed task on its cron schedule with one timer over a min-heap of next fire
 * instants. It keeps no history: a slot is (task id, scheduled instant), and the engine's unique
 * key on that pair makes a repeat after a restart harmless.
 */
export class Scheduler {
  readonly #loadTasks: SchedulerOptions["loadTasks"];
  readonly #runTask: SchedulerOptions["runTask"];
  readonly #log: SchedulerLogger;
  readonly #now: () => number;
  readonly #maxCatchUpMs: number;
  readonly #fireBatchSize: number;
  readonly #leadMs: number;
  readonly #prepareTasks: SchedulerOptions["prepareTasks"];

  #state: State = "stopped";
  /** Bumped by start() and stop() so a callback from an earlier life does nothing. */
  #epoch = 0;
  readonly #tasks = new Map<number, ArmedTask>();
  readonly #heap = new SlotHeap();
  readonly #patterns = new PatternPool();
  #lastGen = 0;
  #staleEntries = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #draining = false;
  /** Ordered by instant; filled only when a lead is set. */
  #pending: PendingSlot[] = [];
  #runs = new InFlightRuns();
  /** Ids changed by addTask/removeTask while loadTasks() was pending: they win over its snapshot. */
  #changedWhileLoading: Set<number> | null = null;

  constructor(opts: SchedulerOptions) {
    this.#loadTasks = opts.loadTasks;
    this.#runTask = opts.runTask;
    this.#log = opts.logger ?? consoleLogger;
    this.#now = opts.now ?? Date.now;
    this.#maxCatchUpMs = opts.maxCatchUpMs ?? DEFAULT_MAX_CATCH_UP_MS;
    this.#fireBatchSize = Math.max(1, opts.fireBatchSize ?? DEFAULT_FIRE_BATCH_SIZE);
    this.#prepareTasks = opts.prepareTasks;
    this.#leadMs = opts.prepareTasks ? Math.max(0, opts.leadMs ?? DEFAULT_LEAD_MS) : 0;
  }

  /** The ids of the armed tasks (to reconcile with a task list that changed elsewhere). */
  armedIds(): number[] {
    return [...this.#tasks.keys()];
  }

  /** How many tasks are armed. */
  get size(): number {
    return this.#tasks.size;
  }

  /**
   * Loads the tasks (all at once or chunk by chunk), arms them, then fires each RUN_LATEST task's latest missed slot once (if it
   * is after the task's createdAt and younger than its misfireGraceSeconds). No-op if started.
   */
  async start(): Promise<void> {
    if (this.#state !== "stopped") return;
    this.#state = "starting";
    const epoch = ++this.#epoch;
    this.#runs = new InFlightRuns();
    this.#changedWhileLoading = new Set();
    // One instant for the whole start, however long loading takes: a slot that passes while later
    // chunks load is then due (fired late) rather than judged a misfire by a later chunk's clock.
    const now = this.#now();
    const changed = this.#changedWhileLoading;
    try {
      const loaded = await this.#loadTasks();
      const chunks = Array.isArray(loaded) ? [loaded] : loaded;
      for await (const chunk of chunks) {
        if (epoch !== this.#epoch) return; // stop() was called while loading
        // A task changed meanwhile was armed by addTask/removeTask with its newer state.
        for (const task of chunk) if (!changed.has(task.id)) this.#arm(task, now);
      }
    } catch (err) {
      if (epoch === this.#epoch) {
        this.#state = "stopped";
        this.#changedWhileLoading = null;
        this.#tasks.clear();
        this.#heap.clear();
        this.#patterns.clear();
      }
      throw err;
    }
    if (epoch !== this.#epoch) return; // stop() was called while loading
    this.#changedWhileLoading = null;
    this.#state = "running";
    const misfires = this.#fireMisfires(now);
    this.#schedule();
    this.#log.info({ tasks: this.#tasks.size, patterns: this.#patterns.size, misfires }, "scheduler started");
  }

  /**
   * Stops firing at once and forgets the armed tasks; waits up to `graceMs` for runs in flight,
   * then aborts their signal and waits for them to settle.
   */
  async stop(graceMs: number = DEFAULT_STOP_GRACE_MS): Promise<void> {
    const wasActive = this.#state !== "stopped";
    this.#state = "stopped";
    this.#epoch++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#draining = false;
    this.#pending = [];
    this.#changedWhileLoading = null;
    this.#tasks.clear();
    this.#heap.clear();
    this.#patterns.clear();
    this.#staleEntries = 0;
    const runs = this.#runs;
    const inFlight = runs.size;
    const aborted = await runs.settle(graceMs);
    if (aborted > 0) this.#log.warn({ aborted, graceMs }, "aborted runs still in flight after the stop grace period");
    if (wasActive) this.#log.info({ inFlight, aborted }, "scheduler stopped");
  }

  /**
   * Arms or re-arms a task (idempotent). A changed cron or timezone takes effect at once; a
   * disabled task is removed. A no-op while the scheduler is stopped (start() loads every task).
   */
  addTask(task: SchedulableTask): void {
    if (this.#state === "stopped") return;
    this.#changedWhileLoading?.add(task.id);
    const armed = this.#arm(task, this.#now());
    if (
      armed?.nextAt != null &&
      this.#state === "running" &&
      !this.#draining &&
      armed.nextAt - this.#leadMs < this.#timerAt
    ) {
      this.#schedule();
    }
  }

  removeTask(id: number): void {
    if (this.#state === "stopped") return;
    this.#changedWhileLoading?.add(id);
    this.#disarm(id);
  }

  /** The next slot the task is armed for, or null if it is not armed or its pattern never fires again. */
  nextRunAt(id: number): Date | null {
    const armed = this.#tasks.get(id);
    const nextAt = armed?.pendingAt ?? armed?.nextAt;
    return nextAt == null ? null : new Date(nextAt);
  }

  /** The next `limit` fires across all armed tasks, soonest first (one pass over the tasks). */
  upcoming(limit: number): Array<{ id: number; at: Date }> {
    const soonest: Array<{ id: number; at: number }> = [];
    for (const [id, armed] of this.#tasks) {
      const nextAt = armed.pendingAt ?? armed.nextAt;
      if (nextAt == null) continue;
      if (soonest.length === limit && nextAt >= (soonest[limit - 1] as { at: number }).at) continue;
      let i = soonest.length;
      while (i > 0 && (soonest[i - 1] as { at: number }).at > nextAt) i--;
      soonest.splice(i, 0, { id, at: nextAt });
      if (soonest.length > limit) soonest.pop();
    }
    return soonest.map(({ id, at }) => ({ id, at: new Date(at) }));
  }

  #arm(task: SchedulableTask, now: number): ArmedTask | undefined {
    if (!task.enabled) {
      this.#disarm(task.id);
      return undefined;
    }
    const existing = this.#tasks.get(task.id);
    if (existing && existing.task.cron === task.cron && existing.task.timezone === task.timezone) {
      existing.task = task; // keep the armed slot; later fires see the new settings
      return existing;
    }
    let pattern: SharedPattern;
    try {
      pattern = this.#patterns.acquire(task.cron, task.timezone);
    } catch (err) {
      this.#log.error({ err, taskId: task.id, cron: task.cron, timezone: task.timezone }, "task not armed: bad cron");
      this.#disarm(task.id);
      return undefined;
    }
    this.#disarm(task.id); // after acquire, so a pattern shared with the old arming survives
    // Strictly after now: a slot at exactly `now` counts as past (start() treats it as a misfire).
    const armed: ArmedTask = { task, pattern, gen: ++this.#lastGen, nextAt: pattern.nextAfter(now), pendingAt: null };
    this.#tasks.set(task.id, armed);
    if (armed.nextAt !== null) this.#heap.push(armed.nextAt, task.id, armed.gen);
    return armed;
  }

  #disarm(id: number): void {
    const armed = this.#tasks.get(id);
    if (!armed) return;
    this.#tasks.delete(id);
    this.#patterns.release(armed.pattern);
    if (armed.nextAt !== null) this.#staleEntries++;
    if (this.#staleEntries >= COMPACT_MIN_STALE && this.#staleEntries > this.#heap.size / 2) {
      this.#heap.retain((taskId, gen) => this.#tasks.get(taskId)?.gen === gen);
      this.#staleEntries = 0;
    }
  }

  /** Fires each RUN_LATEST task's latest slot at or before `now` if it qualifies; returns how many. */
  #fireMisfires(now: number): number {
    let fired = 0;
    for (const { task, pattern, nextAt } of this.#tasks.values()) {
      if (task.misfirePolicy !== "RUN_LATEST") continue;
      const slot = pattern.latestAtOrBefore(now);
      if (slot === null || slot <= +task.createdAt) continue;
      if (now - slot >= task.misfireGraceSeconds * 1000) continue;
      // A task armed while loadTasks() was pending may already be armed for this very slot.
      if (nextAt !== null && slot >= nextAt) continue;
      this.#fire(task, slot);
      fired++;
    }
    return fired;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#state !== "running") return;
    while (this.#heap.size > 0 && !this.#isLive(this.#heap.peekId(), this.#heap.peekGen())) {
      this.#heap.pop();
      this.#staleEntries--;
    }
    const pendingAt = this.#pending[0]?.at ?? Number.POSITIVE_INFINITY;
    const heapAt = this.#heap.size > 0 ? this.#heap.peekAt() - this.#leadMs : Number.POSITIVE_INFINITY;
    const at = Math.min(pendingAt, heapAt);
    if (at === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(Math.max(at - this.#now(), 0), MAX_SLEEP_MS);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#drain(this.#epoch), delay);
  }

  #isLive(id: number, gen: number): boolean {
    return this.#tasks.get(id)?.gen === gen;
  }

  /**
   * Fires every due slot, a batch per event-loop turn. Each task's next slot is computed from the
   * slot just fired, not from now, so slots that fell due while the loop was blocked all fire, in
   * order; only those older than the catch-up bound are skipped. With a lead, slots due within it
   * are taken off the heap early, handed to prepareTasks, and fired when their instant comes.
   */
  #drain(epoch: number): void {
    if (epoch !== this.#epoch || this.#state !== "running") return;
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#draining = true;
    const now = this.#now();
    const budget = { left: this.#fireBatchSize };
    const yielded = this.#takeDue(now, budget) || this.#firePending(now, budget, epoch);
    if (epoch !== this.#epoch) return; // runTask or prepareTasks stopped the scheduler
    if (yielded) {
      setImmediate(() => this.#drain(epoch));
      return;
    }
    this.#draining = false;
    this.#schedule();
  }

  /** Moves the slots due by now + lead from the heap to the pending list. True when out of budget. */
  #takeDue(now: number, budget: { left: number }): boolean {
    const horizon = now + this.#leadMs;
    const skipped: number[] = [];
    const ahead: PendingSlot[] = [];
    let outOfBudget = false;
    while (this.#heap.size > 0 && this.#heap.peekAt() <= horizon) {
      if (budget.left-- === 0) {
        outOfBudget = true;
        break;
      }
      const at = this.#heap.peekAt();
      const id = this.#heap.peekId();
      const gen = this.#heap.peekGen();
      this.#heap.pop();
      const armed = this.#tasks.get(id);
      if (armed?.gen !== gen) {
        this.#staleEntries--;
        continue;
      }
      const catchUpMs = Math.min(this.#maxCatchUpMs, armed.task.misfireGraceSeconds * 1000);
      const tooLate = now - at > catchUpMs;
      // Re-arm before firing: runTask may call addTask/removeTask for this task synchronously.
      armed.nextAt = armed.pattern.nextAfter(tooLate ? now - catchUpMs : at);
      if (armed.nextAt !== null) this.#heap.push(armed.nextAt, id, gen);
      if (tooLate) {
        skipped.push(id);
        continue;
      }
      armed.pendingAt = at;
      // The heap yields instants in order, but a task armed meanwhile may join an earlier slot.
      let i = this.#pending.length;
      while (i > 0 && (this.#pending[i - 1] as PendingSlot).at > at) i--;
      let slot = this.#pending[i - 1];
      if (slot?.at !== at) {
        slot = { at, due: [] };
        this.#pending.splice(i, 0, slot);
        if (at > now) ahead.push(slot);
      }
      slot.due.push({ armed, gen });
    }
    this.#logSkipped(skipped, now);
    for (const slot of ahead) this.#prepare(slot);
    return outOfBudget;
  }

  /** Fires the pending slots whose instant has come. True when out of budget. */
  #firePending(now: number, budget: { left: number }, epoch: number): boolean {
    while (this.#pending.length > 0 && (this.#pending[0] as PendingSlot).at <= now) {
      const slot = this.#pending[0] as PendingSlot;
      while (slot.due.length > 0) {
        if (budget.left-- === 0) return true;
        const { armed, gen } = slot.due.shift() as PendingSlot["due"][number];
        // Re-armed with another schedule or removed since it was taken: that arming decides.
        if (this.#tasks.get(armed.task.id)?.gen !== gen) continue;
        if (armed.pendingAt === slot.at) armed.pendingAt = null;
        this.#fire(armed.task, slot.at);
        if (epoch !== this.#epoch) return false;
      }
      this.#pending.shift();
    }
    return false;
  }

  #prepare(slot: PendingSlot): void {
    try {
      this.#prepareTasks?.(
        slot.due.map((d) => d.armed.task),
        new Date(slot.at),
      );
    } catch (err) {
      this.#log.error({ err, scheduledAt: new Date(slot.at) }, "prepareTasks failed");
    }
  }

  #logSkipped(taskIds: number[], now: number): void {
    if (taskIds.length === 0) return;
    this.#log.warn(
      { tasks: taskIds.length, taskIds: taskIds.slice(0, 20), now: new Date(now) },
      "skipped slots older than the catch-up bound (event loop blocked or host asleep)",
    );
  }

  #fire(task: SchedulableTask, at: number): void {
    let run: Promise<void>;
    try {
      run = Promise.resolve(this.#runTask(task, new Date(at), this.#runs.signal));
    } catch (err) {
      run = Promise.reject(err);
    }
    this.#runs.track(run, (err) =>
      this.#log.error({ err, taskId: task.id, scheduledAt: new Date(at) }, "runTask failed"),
    );
  }
}

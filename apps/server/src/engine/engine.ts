import { nextRun, runError } from "@crondeck/core";
import { type Db, parseDatabaseUrl, type RunRow, type TaskRow } from "@crondeck/db";
import { Scheduler } from "@crondeck/scheduler";
import type { FastifyBaseLogger } from "fastify";
import { type Config, notifyConfig } from "../config.ts";
import type { TaskWarning } from "../routes/api/tasks/schema.ts";
import { RunOutputStore } from "../runs/output-store.ts";
import { SecretStore } from "../secrets/store.ts";
import { TaskModules } from "../tasks/modules.ts";
import { Dependencies, type DependentStart } from "./dependencies.ts";
import { type Dispatcher, LocalDispatcher } from "./dispatch.ts";
import { InstanceLease, LEASE_RENEW_MS } from "./lease.ts";
import { LiveRuns } from "./live-runs.ts";
import { MissedSlots } from "./missed-slots.ts";
import { NatsDispatcher } from "./nats-dispatch.ts";
import { NextRunKeys } from "./next-run-keys.ts";
import { Notifier } from "./notifier.ts";
import { Reaper } from "./reaper.ts";
import { MissedSlot, RunJob } from "./run-job.ts";
import { RunStore } from "./run-store.ts";
import { type ArmedTask, armedTask, enabledTasks, TaskRows } from "./task-rows.ts";

export const APP_VERSION = "0.1.0";
/** Task syncs between scans for tasks deleted through another instance (12 × 5 s = a minute). */
const DELETION_SCAN_EVERY = 12;
/**
 * How long before its instant a slot is claimed in the database, so the fire itself starts with no
 * round trip. Below a second, so a per-second task's previous run has had time to end.
 */
const CLAIM_LEAD_MS = 500;
/** A slot claimed ahead that has not fired this long after its instant is given back. */
const UNFIRED_CLAIM_MS = 30_000;
/** A scheduled fire that waits longer than this for the database is missed, not run late. */
const FIRE_DB_WAIT_MS = 2_000;
/** How often the recovery sweep looks for dependents a crash kept from starting. */
const DEPENDENCY_SWEEP_MS = 60_000;

export interface EngineTimings {
  /** How often live runs save their output so far (so a crash loses little of it). */
  heartbeatMs: number;
  /** A run whose owning process has been silent this long (its lease not renewed) is LOST. */
  lostAfterMs: number;
  /** How often other instances' task edits are picked up. */
  taskSyncMs: number;
  /** How often old runs are pruned. */
  pruneEveryMs: number;
  /**
   * How often the next-run keys of the tasks that fired are written. Each write holds the rows of
   * the tasks it moves on, which a run's insert checks (its foreign key) on MySQL: seldom, not
   * every second. A list sorted by next run recomputes the keys that passed anyway.
   */
  nextRunFlushMs: number;
}

export const DEFAULT_TIMINGS: EngineTimings = {
  heartbeatMs: 10_000,
  lostAfterMs: 10_000,
  taskSyncMs: 5_000,
  pruneEveryMs: 60 * 60_000,
  nextRunFlushMs: 5_000,
};

/**
 * Ties the scheduler, the run job, the dispatcher and the notifier to the database: the one thing
 * the API asks to run, cancel, follow or re-arm tasks.
 */
export class Engine {
  readonly live: LiveRuns;
  readonly store: RunStore;
  readonly #job: RunJob;
  readonly #notifier: Notifier;
  readonly #scheduler: Scheduler;
  readonly #shutdown = new AbortController();
  /** Every fire under way here (scheduled, manual, retried, taken over): stop() waits for them. */
  readonly #fires = new Set<Promise<void>>();
  readonly #lease: InstanceLease;
  readonly #dispatcher: Dispatcher;
  readonly #reaper: Reaper;
  readonly #missed: MissedSlots;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #endListeners: Array<(run: RunRow, task: TaskRow) => void> = [];
  /** Slots claimed ahead of their instant and not fired yet, by `taskId@instant`. */
  readonly #claimedAhead = new Map<string, ClaimAhead>();
  /** Whole task rows, read when a slot is prepared or fired (armed tasks hold only their schedule). */
  readonly #rows: TaskRows;
  readonly #nextRunKeys: NextRunKeys;
  readonly #dependencies: Dependencies;
  #lastSync = new Date(0);
  #syncRounds = 0;
  #started = false;
  #stopping = false;
  #leaseLost = false;
  /** Settles once every enabled task is armed (or the engine stops first). */
  #armed: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    private readonly timings: EngineTimings = DEFAULT_TIMINGS,
    dispatcherOverride?: Dispatcher,
    modules: TaskModules = new TaskModules(),
    secrets: SecretStore = new SecretStore(db, config.secretsKey),
  ) {
    const dispatcher: Dispatcher =
      dispatcherOverride ??
      (config.natsUrl
        ? new NatsDispatcher({ url: config.natsUrl, dispatchTimeoutMs: config.dispatchTimeoutMs, log })
        : new LocalDispatcher(config.instanceName, modules.modes));
    this.live = new LiveRuns(config.outputLimitBytes);
    this.#rows = new TaskRows(db);
    this.#nextRunKeys = new NextRunKeys(db);
    this.#dispatcher = dispatcher;
    // Runs in progress in the database that are not under way here: ended and waiting for their
    // record, or claims of missed slots never started. They do not hold FORBID.
    this.store = new RunStore(
      db,
      parseDatabaseUrl(config.databaseUrl).provider,
      (runId) => this.live.isEnded(runId) || this.#missed.holds(runId),
      new RunOutputStore(db, config.runOutputBudgetBytes, log, parseDatabaseUrl(config.databaseUrl).provider),
    );
    this.#lease = new InstanceLease(
      db,
      config.instanceName,
      config.natsUrl ? "control-plane" : config.scheduler ? "in-process" : "api-only",
      APP_VERSION,
      log,
    );
    this.#notifier = new Notifier(this.store, modules, notifyConfig(config), log);
    const ended = (run: RunRow, task: TaskRow) => {
      for (const listener of this.#endListeners) listener(run, task);
    };
    this.#dependencies = new Dependencies({
      db,
      start: (task, start) => this.#startDependent(task, start),
      log,
    });
    this.#job = new RunJob({
      ended,
      lease: this.#lease,
      store: this.store,
      dispatcher,
      live: this.live,
      notifier: this.#notifier,
      secrets,
      runSettings: (mode, settings, overrides) => modules.runSettings(mode, settings, overrides),
      outputLimitBytes: config.outputLimitBytes,
      fullOutputMaxBytes: config.runOutputMaxBytes,
      log,
      shutdown: this.#shutdown.signal,
      fireEnded: (task, last) => this.#dependencies.fireEnded(task, last),
    });
    const track = (done: Promise<void>) => this.#track(done);
    this.#reaper = new Reaper({
      db,
      store: this.store,
      lease: this.#lease,
      job: this.#job,
      executorName: config.instanceName,
      lostSilenceMs: timings.lostAfterMs,
      ended,
      track,
      log,
      accountsFor: (runId) =>
        this.live.has(runId) || this.#missed.holds(runId) || (dispatcher.accountsFor?.(runId) ?? false),
      ...(dispatcher.silence ? { silence: (ownerId: string) => dispatcher.silence?.(ownerId) } : {}),
      cancelRequested: (runId) => this.live.cancel(runId, "canceled by a user"),
    });
    this.#missed = new MissedSlots({
      db,
      store: this.store,
      job: this.#job,
      ownerId: () => this.#lease.bootId,
      ended,
      track,
      log,
    });
    this.#scheduler = new Scheduler({
      loadTasks: async () => {
        this.#lastSync = new Date();
        return enabledTasks(db);
      },
      runTask: (task, scheduledAt) => this.#fire(task as ArmedTask, scheduledAt),
      prepareTasks: (tasks, scheduledAt) => this.#claimAhead(tasks as ArmedTask[], scheduledAt),
      leadMs: CLAIM_LEAD_MS,
      logger: log,
    });
  }

  /**
   * Takes this process's name with a new incarnation, ends what dead predecessors left in
   * progress, then starts arming every enabled task: the API serves meanwhile (whenArmed()).
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const predecessors = await this.#lease.register();
    this.#dispatcher.start?.({
      db: this.db,
      store: this.store,
      lease: this.#lease,
      recorded: (run, task) => {
        for (const listener of this.#endListeners) listener(run, task);
        this.#track(this.#job.continueFire(task, run));
      },
    });
    await this.#reaper.atStart(predecessors);
    if (this.config.scheduler) {
      // 100,000 tasks take a second or more to read and arm; the API need not wait for that (a task
      // not armed yet shows the next run computed the same way), and slots due meanwhile fire late.
      this.#armed = this.#arm();
      this.#every(this.timings.taskSyncMs, () => this.#syncTasks());
      this.#every(this.timings.nextRunFlushMs, () => this.#nextRunKeys.flush());
    }
    this.#every(LEASE_RENEW_MS, () => this.#livenessRound());
    this.#every(this.timings.heartbeatMs, () => this.#saveOutput());
    this.#every(this.timings.pruneEveryMs, () => this.prune());
    if (this.config.scheduler) this.#every(DEPENDENCY_SWEEP_MS, () => this.#dependencies.sweep());
  }

  /**
   * Stops firing, waits up to `graceMs` for every run under way (scheduled ones included), then
   * cancels the rest (recorded as CANCELED) and waits for their records and notifications.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
    // The scheduler fires nothing from here on; the fires it started are in #fires.
    const schedulerStopped = this.#scheduler.stop(0).then(() => this.#armed);
    const fires = () => Promise.allSettled([...this.#fires]);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.all([schedulerStopped, this.#giveBack(() => true), Promise.race([fires(), timeout])]);
    this.#shutdown.abort();
    await fires();
    await this.#dispatcher.close?.();
    await this.#notifier.drain();
    await this.#nextRunKeys.flush().catch((err) => this.log.warn({ err }, "could not write next-run keys"));
  }

  /** Settles once every enabled task is armed (at once with SCHEDULER=off, or once stopped). */
  whenArmed(): Promise<void> {
    return this.#armed;
  }

  /** Arms every enabled task, trying again while the database cannot be read. */
  async #arm(): Promise<void> {
    for (let tries = 0; !this.#stopping; tries++) {
      try {
        await this.#scheduler.start();
        return;
      } catch (err) {
        if (tries % 30 === 0) this.log.error({ err, tries }, "could not read the tasks to arm; trying again");
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
      }
    }
  }

  /** Calls `listener` for every attempt that reaches a final status in this process. */
  onRunEnd(listener: (run: RunRow, task: TaskRow) => void): void {
    this.#endListeners.push(listener);
  }

  /** How many tasks the scheduler has armed, and how many runs execute here now. */
  get load(): { armed: number; live: number } {
    return { armed: this.#scheduler.size, live: this.live.ids().length };
  }

  /** Arms, re-arms or (when disabled) disarms a task after the API saved it. */
  taskSaved(row: TaskRow): void {
    if (!this.config.scheduler) return;
    if (row.enabled) this.#scheduler.addTask(armedTask(row));
    else this.#scheduler.removeTask(row.id);
    this.#giveBackChanged(row.id);
  }

  taskDeleted(id: number): void {
    this.#scheduler.removeTask(id);
    this.#giveBackChanged(id);
  }

  /** The next fire: the scheduler's when it has the task armed, else computed the same way. */
  nextRunAt = (row: TaskRow): Date | null => {
    if (!row.enabled) return null;
    return this.#scheduler.nextRunAt(row.id) ?? nextRun(row.cron, row.timezone);
  };

  /** Runs a task now (enabled or not). Returns the first run's id. */
  /** `parameters`: what this run was given (JSON, see tasks/run-parameters.ts); its retries reuse them. */
  async runNow(task: TaskRow, parameters: string | null = null): Promise<number> {
    const started = await this.#job.start({
      task,
      scheduledAt: new Date(),
      trigger: "MANUAL",
      parameters,
    });
    if (!started) throw new Error("a manual run has no slot to collide on");
    this.#track(started.done);
    return started.runId;
  }

  /**
   * Starts a task that depends on a fire that just ended, the way a manual run starts (the run
   * job: FORBID, timeout, retries, notifications), under a fire key that makes it happen once.
   * Nothing starts once this process is stopping; the recovery sweep of a live instance does it.
   */
  async #startDependent(task: TaskRow, start: DependentStart): Promise<void> {
    if (this.#stopping) {
      this.log.warn({ taskId: task.id, ...start }, "stopping: a dependent task is left to the recovery sweep");
      return;
    }
    const started = await this.#job.start({ task, trigger: "DEPENDENCY", ...start });
    if (started) this.#track(started.done);
  }

  /** Runs the dependency recovery sweep now, as at `now` (tests; the engine runs it every minute). */
  sweepDependencies(now?: number): Promise<void> {
    return this.#dependencies.sweep(now);
  }

  /** Cancels a run: executing in this process, or handed to executors (from any instance). */
  async cancel(run: RunRow): Promise<boolean> {
    if (this.live.cancel(run.id, "canceled by a user")) return true;
    if (this.#dispatcher.cancel) return this.#dispatcher.cancel(run);
    // Another instance runs it: it sees the request at its next lease round (half a second).
    return run.ownerId !== null && (await this.store.requestCancel(run.id));
  }

  /** What will keep a saved task from running as saved (a group no live executor serves). */
  warningsFor(row: TaskRow): TaskWarning[] {
    const serves = this.#dispatcher.serves?.(row.executorGroup);
    if (serves !== false) return [];
    const seconds = Math.round(this.config.dispatchTimeoutMs / 1000);
    return [
      {
        code: "NO_LIVE_EXECUTOR",
        message: `no live executor serves group "${row.executorGroup}" now: its runs wait ${seconds} s (DISPATCH_TIMEOUT_SECONDS) for one, then fail`,
        params: { group: row.executorGroup, seconds },
      },
    ];
  }

  /** The dispatcher, for what the API shows of it (executors over NATS, its connection). */
  get dispatcher(): Dispatcher {
    return this.#dispatcher;
  }

  async prune(): Promise<number> {
    const removed = await this.store.prune({
      olderThan: new Date(Date.now() - this.config.runRetentionDays * 86_400_000),
      perTask: this.config.runRetentionPerTask,
      batch: 500,
    });
    if (removed > 0) this.log.info({ removed }, "pruned old runs");
    return removed;
  }

  #fire(task: ArmedTask, scheduledAt: Date): Promise<void> {
    const fire = this.#fireSlot(task, scheduledAt);
    this.#track(fire);
    return fire;
  }

  async #fireSlot(armed: ArmedTask, scheduledAt: Date): Promise<void> {
    // Lateness of the loop (catch-up) is the scheduler's business; waiting for the database is not.
    const notAfter = Date.now() + FIRE_DB_WAIT_MS;
    const key = claimKey(armed.id, scheduledAt.getTime());
    const ahead = this.#claimedAhead.get(key);
    this.#claimedAhead.delete(key);
    const claimed = ahead ? await ahead.claim : undefined;
    if (claimed === null) return; // another instance claimed the slot first
    let task: TaskRow | undefined;
    let started: Awaited<ReturnType<RunJob["start"]>>;
    try {
      // The row read for the claim, unless the task was saved since (then as saved now, as when
      // whole rows were armed); none was read without a claim ahead (a misfire, a catch-up).
      task = ahead ? await ahead.row : undefined;
      if (task?.updatedAt.getTime() !== armed.updatedAtMs) task = await this.#rows.get(armed.id, armed.updatedAtMs);
      if (!task) {
        // Deleted meanwhile (its claim went with it): nothing to run.
        this.taskDeleted(armed.id);
        return;
      }
      started = await this.#job.start({
        task,
        scheduledAt,
        trigger: "SCHEDULE",
        notAfter,
        ...(claimed ? { claimed } : {}),
      });
    } catch (err) {
      // The database did not answer (in time): the slot is missed, not taken by anyone. It is
      // recorded per the task's misfire policy once the database is back.
      if (this.#missed.size === 0) {
        this.log.warn({ err, taskId: armed.id, scheduledAt }, "slot missed: database unreachable");
      }
      this.#missed.add(
        armed.id,
        scheduledAt,
        (err instanceof MissedSlot ? err.run : undefined) ?? claimed ?? undefined,
      );
      return;
    }
    if (!started) return;
    // This instance took the slot: it moves the task's next-run key on.
    this.#nextRunKeys.passed(armed.id, scheduledAt.getTime(), this.#scheduler.nextRunAt(armed.id)?.getTime() ?? null);
    await started.done;
  }

  /**
   * The scheduler's lead: claims the slot of every task due at `scheduledAt`, with the whole rows
   * of the batch read in one query.
   */
  #claimAhead(tasks: ArmedTask[], scheduledAt: Date): void {
    const at = scheduledAt.getTime();
    for (const { id, updatedAtMs } of tasks) {
      const row = this.#rows.get(id, updatedAtMs);
      const claim = row.then(
        (task) => (task ? this.#job.prepare(task, scheduledAt) : undefined),
        () => undefined, // the fire decides at its instant, as when a claim fails
      );
      this.#claimedAhead.set(claimKey(id, at), { taskId: id, at, row: row.catch(() => undefined), claim });
    }
    // A backstop: whatever the scheduler did not fire by then will not fire.
    setTimeout(() => void this.#giveBack((c) => c.at === at), at - Date.now() + UNFIRED_CLAIM_MS).unref();
  }

  /** Gives back a task's claimed slot that its new arming will not fire (edited, disabled, deleted). */
  #giveBackChanged(taskId: number): void {
    if (this.#claimedAhead.size === 0) return;
    const next = this.#scheduler.nextRunAt(taskId)?.getTime();
    void this.#giveBack((c) => c.taskId === taskId && c.at !== next, true);
  }

  /**
   * Gives back claimed slots that will not fire here. Those an executor already reserved (handed
   * over ahead, over NATS) run on it unless `cancelReserved` (the task changed): then they are
   * canceled, and their records say why.
   */
  async #giveBack(which: (claim: { taskId: number; at: number }) => boolean, cancelReserved = false): Promise<void> {
    const claims: Array<Promise<RunRow | null | undefined>> = [];
    for (const [key, claim] of this.#claimedAhead) {
      if (!which(claim)) continue;
      this.#claimedAhead.delete(key);
      claims.push(claim.claim);
    }
    if (claims.length === 0) return;
    const ids = (await Promise.all(claims)).flatMap((run) => (run ? [run.id] : []));
    for (const id of ids) this.#job.forget(id);
    try {
      await this.store.release(ids, this.#lease.bootId);
      if (!cancelReserved || !this.#dispatcher.remote) return;
      const reserved = await this.db.run.findMany({
        where: { id: { in: ids }, status: { in: ["QUEUED", "RUNNING"] } },
      });
      for (const run of reserved)
        await this.#dispatcher.cancel?.(
          run,
          runError("CANCELED_TASK_CHANGED", "canceled: the task was changed before this slot"),
        );
    } catch (err) {
      this.log.warn({ err, runs: ids.length }, "could not give back claimed slots");
    }
  }

  #track(done: Promise<void>): void {
    this.#fires.add(done);
    void done.finally(() => this.#fires.delete(done));
  }

  #every(ms: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // a slow database must not pile up overlapping rounds
      busy = true;
      fn()
        .catch((err) => this.log.warn({ err }, "engine maintenance round failed"))
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Saves the output so far of the runs executing here, so a crash loses little of it. */
  async #saveOutput(): Promise<void> {
    const runs = this.live
      .ids()
      .map((id) => ({ id, ...(this.live.snapshot(id) ?? { output: "", truncated: false, outputBytes: 0 }) }));
    if (runs.length > 0) await this.store.heartbeat(runs);
  }

  /**
   * Renews this process's lease, records what was missed while the database was away once it is
   * back, and judges the runs of other processes (claims to take over, runs LOST).
   */
  async #livenessRound(): Promise<void> {
    const renewed = await this.#lease.renew(this.live.ids().length);
    if (!renewed) {
      this.#leaseLost = true;
      return;
    }
    if (this.#leaseLost) {
      this.#leaseLost = false;
      this.log.info({}, "database reachable again");
      this.#job.databaseBack();
    }
    // Ends still waiting for the database go first, so FORBID is judged on the truth.
    if (this.#missed.size > 0 && this.#job.recording === 0) await this.#missed.flush();
    await this.#reaper.round();
  }

  get heartbeatMs(): number {
    return this.timings.heartbeatMs;
  }

  /** The next fires across armed tasks (for the dashboard). */
  upcoming(limit: number): Array<{ id: number; at: Date }> {
    return this.#scheduler.upcoming(limit);
  }

  /** Picks up tasks created, edited or deleted through other instances sharing the database. */
  async #syncTasks(): Promise<void> {
    const since = new Date(this.#lastSync.getTime() - 2_000); // clock skew between writers
    this.#lastSync = new Date();
    const changed = await this.db.task.findMany({ where: { updatedAt: { gte: since } } });
    for (const row of changed) this.taskSaved(row);
    // A deletion leaves no row to notice; compare id lists now and then (a full scan of ids).
    if (++this.#syncRounds % DELETION_SCAN_EVERY !== 0) return;
    const enabled = await this.db.task.findMany({ where: { enabled: true }, select: { id: true } });
    const exists = new Set(enabled.map((r) => r.id));
    for (const id of this.#scheduler.armedIds()) if (!exists.has(id)) this.taskDeleted(id);
  }
}

interface ClaimAhead {
  taskId: number;
  at: number;
  /** The task's whole row as read for the claim (undefined: deleted, or the read failed). */
  row: Promise<TaskRow | undefined>;
  claim: Promise<RunRow | null | undefined>;
}

const claimKey = (taskId: number, at: number) => `${taskId}@${at}`;

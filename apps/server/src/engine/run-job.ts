import { setTimeout as sleep } from "node:timers/promises";
import {
  CANCELED_BY_USER,
  canceledBy,
  RETRYABLE_RUN_STATUSES,
  type RunError,
  RunErrorException,
  type RunStatus,
  type RunTrigger,
  runError,
  type Settings,
} from "@crondeck/core";
import type { RunRow, TaskRow } from "@crondeck/db";
import { type ExecutionRequest, type ExecutionResult, matchKeywords } from "@crondeck/executor";
import { toApiRun } from "../runs/view.ts";
import type { SecretStore } from "../secrets/store.ts";
import { parseRunParameters } from "../tasks/run-parameters.ts";
import { type Dispatcher, HANDED_OFF } from "./dispatch.ts";
import type { LiveRuns } from "./live-runs.ts";
import type { Notifier } from "./notifier.ts";
import { fireKeyOf, type RunStore } from "./run-store.ts";

export interface RunJobDeps {
  store: RunStore;
  dispatcher: Dispatcher;
  live: LiveRuns;
  notifier: Notifier;
  outputLimitBytes: number;
  /** The whole output is kept compressed up to this many bytes (0: not kept). */
  fullOutputMaxBytes: number;
  /** Told about every attempt that reached a final status (metrics). */
  ended: (run: RunRow, task: TaskRow) => void;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Aborted when the process shuts down (after the stop grace period): every fire is canceled. */
  shutdown: AbortSignal;
  /** This process's lease: its bootId owns the runs it claims, and says if a fast start is safe. */
  lease: { readonly bootId: string; readonly fresh: boolean };
  /** Resolves ${secret:NAME} in a task's settings and environment when an attempt starts. */
  secrets: Pick<SecretStore, "resolve">;
  /**
   * Told once per fire, with its last attempt, when the fire reached its final outcome (no retry
   * to come): where dependent tasks are started (engine/dependencies.ts).
   */
  fireEnded?: (task: TaskRow, last: RunRow) => Promise<void>;
  /** The settings an attempt runs with: the task's, with a manual run's overrides applied by its mode. */
  runSettings: (mode: string, settings: Settings, overrides: Settings) => Settings;
}

export interface FireRequest {
  task: TaskRow;
  scheduledAt: Date;
  trigger: Extract<RunTrigger, "SCHEDULE" | "MANUAL" | "DEPENDENCY">;
  /** DEPENDENCY: the fire's unique key (see dependencies.ts); SCHEDULE's is its slot, MANUAL has none. */
  fireKey?: string;
  /** DEPENDENCY: the upstream run whose end started this fire. */
  triggeredByRunId?: number;
  /** A manual run's parameters (JSON, see tasks/run-parameters.ts), recorded on every attempt. */
  parameters?: string | null;
  /** The slot's first attempt, claimed ahead of time by prepare() (status QUEUED). */
  claimed?: RunRow;
  /**
   * Epoch ms: a scheduled fire still waiting for the database then does not start; it is missed
   * (MissedSlot) and follows the task's misfire policy instead of running late.
   */
  notAfter?: number;
}

/** A scheduled fire the database held up past its `notAfter`: recorded, not started. */
export class MissedSlot extends Error {
  /** `run`: this process's claim of the slot, when the database recorded one. */
  constructor(readonly run?: RunRow) {
    super("slot missed: the database answered too late");
  }
}

/** A slot is started with no database round trip only this close to its instant (see lease.ts). */
const FAST_START_MS = 1_000;

export interface StartedFire {
  /** The first attempt's run id (SKIPPED when the task was already running under FORBID). */
  runId: number;
  /** Settles when the fire's last attempt and its notification are done. */
  done: Promise<void>;
}

const SHUTDOWN = runError("CANCELED_SHUTDOWN", "canceled: Crondeck was shutting down");
/** Waits between tries to record an attempt's end while the database is away: it grows to the last. */
const FINISH_RETRY_MS = [200, 500, 1_000, 2_000, 5_000];
const FORBIDDEN = runError(
  "SKIPPED_FORBID",
  "skipped: another run of this task is queued or running (concurrency policy FORBID)",
);

/**
 * The job that runs a task: one fire, from its first attempt through its retries to the
 * notification. Every attempt is its own run record; retries share the fire's key and root run.
 */
export class RunJob {
  /** How to cancel each fire under way, for the shutdown (one listener, not one per fire). */
  readonly #onShutdown = new Set<() => void>();
  /** Fast-started runs a peer had taken over meanwhile: stopped here, and their ends not recorded. */
  readonly #disowned = new Set<number>();
  #recording = 0;
  /** FORBID tasks between their "nothing under way" read and their run being live here: resolves to whether it started. */
  readonly #starting = new Map<number, Promise<boolean>>();
  /** Slots claimed ahead that the dispatcher also handed to its executors ahead (remote). */
  readonly #preparedAhead = new Set<number>();
  /** Resolved (and renewed) when the database answers again, so waiting ends are written at once. */
  #back = signal();

  constructor(private readonly deps: RunJobDeps) {
    deps.shutdown.addEventListener("abort", () => {
      for (const cancel of this.#onShutdown) cancel();
    });
  }

  /**
   * Records the fire's first attempt and starts it. Returns null when this slot was already taken
   * by another scheduler instance. Rejects when the database cannot be reached (the slot is then
   * missed, not lost: see missed-slots.ts).
   */
  async start(request: FireRequest): Promise<StartedFire | null> {
    const { task, scheduledAt, trigger, claimed, notAfter = Number.POSITIVE_INFINITY, parameters = null } = request;
    const { store, dispatcher, live } = this.deps;
    if (claimed) return this.#startClaimed(task, claimed, notAfter);
    const fireKey = request.fireKey ?? (trigger === "SCHEDULE" ? fireKeyOf(scheduledAt) : null);

    const claimFirst = (status: "SKIPPED" | "RUNNING", executor: string | null, error?: RunError) =>
      store.claim({
        taskId: task.id,
        trigger,
        scheduledAt,
        fireKey,
        attempt: 1,
        rootRunId: null,
        status,
        executor,
        ownerId: this.deps.lease.bootId,
        error,
        triggeredByRunId: request.triggeredByRunId ?? null,
        parameters,
      });

    const skip = async () => {
      // Decided only after the database held the fire up: the slot was missed, whatever overlaps now.
      if (Date.now() > notAfter) throw new MissedSlot();
      const skipped = await claimFirst("SKIPPED", null, FORBIDDEN);
      if (!skipped) return null;
      this.deps.ended(skipped, task);
      return { runId: skipped.id, done: Promise.resolve() };
    };
    const forbid = task.concurrencyPolicy === "FORBID";
    // Fires of one task in one batch (a catch-up) all read "nothing under way" together: they are
    // decided one after another, and skipped only if a sibling really started its run.
    while (forbid) {
      if ((await this.#siblingStarted(task.id)) || live.activeForTask(task.id)) return skip();
      const active = await store.hasActive(task.id);
      if (this.#starting.has(task.id)) continue;
      if (active) return skip();
      break;
    }
    return this.#reserved(task, forbid, async () => {
      const first = await claimFirst("RUNNING", dispatcher.executorFor(task));
      if (!first) return null;
      if (Date.now() > notAfter) throw new MissedSlot(first);
      return { runId: first.id, done: this.#attempts(task, first) };
    });
  }

  /**
   * Starts a fire with its FORBID task reserved: sibling fires wait, then learn whether it started.
   * `start` must put its run in `live` before it resolves (#attempts does so synchronously), which
   * holds FORBID from then on.
   */
  async #reserved(
    task: TaskRow,
    forbid: boolean,
    start: () => Promise<StartedFire | null>,
  ): Promise<StartedFire | null> {
    if (!forbid) return start();
    const reservation = signal<boolean>();
    this.#starting.set(task.id, reservation.promise);
    let started: StartedFire | null = null;
    try {
      started = await start();
      return started;
    } finally {
      this.#starting.delete(task.id);
      reservation.resolve(started !== null);
    }
  }

  /**
   * Starts the first attempt of a slot this process claimed but did not start (QUEUED, or RUNNING
   * when the database answered its claim too late): a missed slot that its misfire policy runs.
   */
  async startOwned(task: TaskRow, run: RunRow): Promise<StartedFire | null> {
    if (run.status === "QUEUED" && !(await this.deps.store.confirmStart(run.id, this.deps.lease.bootId))) return null;
    const started: RunRow = { ...run, status: "RUNNING", startedAt: new Date() };
    return { runId: run.id, done: this.#attempts(task, started) };
  }

  /**
   * Claims a scheduled slot before its instant (as QUEUED), so that at the instant the run starts
   * with no database round trip. Resolves to the claimed run, to null when another instance holds
   * the slot, or to undefined when the fire must decide at its instant: FORBID with a run of the
   * task under way in another process (it may end before the slot), or a database error. A run
   * under way here is checked again at the instant, in memory (see #startClaimed).
   */
  async prepare(task: TaskRow, scheduledAt: Date): Promise<RunRow | null | undefined> {
    const { store, live, dispatcher, log } = this.deps;
    try {
      if (task.concurrencyPolicy === "FORBID" && !live.activeForTask(task.id) && (await store.hasActive(task.id))) {
        return undefined;
      }
      const claim = await store.claim({
        taskId: task.id,
        trigger: "SCHEDULE",
        scheduledAt,
        fireKey: fireKeyOf(scheduledAt),
        attempt: 1,
        rootRunId: null,
        status: "QUEUED",
        executor: dispatcher.executorFor(task),
        ownerId: this.deps.lease.bootId,
      });
      if (claim && dispatcher.prepare) {
        // A request that cannot be made (a missing secret) fails its attempt when the slot starts.
        const request = await this.#request(task, claim).catch(() => null);
        if (request && (await dispatcher.prepare(task, request))) this.#preparedAhead.add(claim.id);
      }
      return claim;
    } catch (err) {
      log.warn({ err, taskId: task.id, scheduledAt }, "could not claim a slot ahead of time");
      return undefined;
    }
  }

  /**
   * Starts a slot claimed ahead. On time and with a fresh lease it starts at once and records the
   * start right after; late (the loop was blocked, the lease could not be renewed) it first makes
   * sure the claim is still its own, since a peer takes over the claims of an owner gone silent.
   */
  async #startClaimed(task: TaskRow, claimed: RunRow, notAfter: number): Promise<StartedFire | null> {
    const { store, live, lease } = this.deps;
    // Only this process can have started a run of the task since the claim (a retry of its previous
    // fire, or a sibling slot of a catch-up); elsewhere the QUEUED run counts as active and holds FORBID.
    const forbid = task.concurrencyPolicy === "FORBID";
    if (forbid && ((await this.#siblingStarted(task.id)) || live.activeForTask(task.id))) {
      if (Date.now() > notAfter) throw new MissedSlot(claimed);
      const skipped = await store.endUnstarted(claimed.id, lease.bootId, "SKIPPED", FORBIDDEN);
      if (skipped) this.deps.ended(skipped, task);
      return { runId: claimed.id, done: Promise.resolve() };
    }
    const run: RunRow = { ...claimed, status: "RUNNING", startedAt: new Date() };
    // Handed to its executors ahead of time: the one that reserved it starts it on its own.
    if (this.#preparedAhead.delete(claimed.id)) return { runId: run.id, done: this.#attempts(task, run) };
    const onTime = Date.now() - claimed.scheduledAt.getTime() <= FAST_START_MS;
    // A remote attempt is started by its executor in the database: the start is recorded first.
    if (!(onTime && lease.fresh) || this.deps.dispatcher.remote) {
      return this.#reserved(task, forbid, async () => {
        if (!(await store.confirmStart(run.id, lease.bootId))) return null;
        if (Date.now() > notAfter) throw new MissedSlot(run);
        return { runId: run.id, done: this.#attempts(task, run) };
      });
    }
    const done = this.#attempts(task, run);
    store.confirmStart(run.id, lease.bootId).then(
      (ours) => {
        if (ours) return;
        this.#disowned.add(run.id);
        live.cancel(run.id, "taken over by another instance");
        this.deps.log.error(
          { runId: run.id, taskId: task.id },
          "a peer took over this slot while it was starting here; this copy was stopped",
        );
      },
      () => {}, // the end record, retried until written, also records the start
    );
    return { runId: run.id, done };
  }

  /** Waits while a sibling fire of the task is being decided; true when one started its run. */
  async #siblingStarted(taskId: number): Promise<boolean> {
    for (;;) {
      const sibling = this.#starting.get(taskId);
      if (!sibling) return false;
      if (await sibling) return true;
    }
  }

  /**
   * Runs a claim taken over from a dead owner (already RUNNING under this process), unless FORBID
   * finds another run of the task under way.
   */
  async runTakenOver(task: TaskRow, run: RunRow, othersActive: boolean): Promise<void> {
    if (task.concurrencyPolicy === "FORBID" && (othersActive || this.deps.live.activeForTask(task.id))) {
      const skipped = await this.deps.store.endUnstarted(run.id, this.deps.lease.bootId, "SKIPPED", FORBIDDEN);
      if (skipped) this.deps.ended(skipped, task);
      return;
    }
    await this.#attempts(task, run);
  }

  /**
   * Continues a fire whose attempt ended elsewhere (an executor's result recorded here): after the
   * task's retry interval, the next attempt if the outcome and the retries left call for one; else
   * the notification. A shutdown during the wait leaves the failed attempt as the outcome.
   */
  async continueFire(task: TaskRow, ended: RunRow): Promise<void> {
    const retry = RETRYABLE_RUN_STATUSES.includes(ended.status as never) && ended.attempt <= task.retryCount;
    if (retry && !this.deps.shutdown.aborted) {
      try {
        await sleep(task.retryIntervalSeconds * 1000, undefined, { signal: this.deps.shutdown });
        const next = await this.#claimRetry(task, ended);
        if (next) return await this.#attempts(task, next);
      } catch (err) {
        if (!this.deps.shutdown.aborted)
          this.deps.log.error({ err, taskId: task.id, runId: ended.id }, "could not retry");
      }
    }
    await this.#fireEnded(task, ended);
  }

  /** Continues a fire whose attempt was found LOST: the next attempt, if any remain. */
  async retryLost(task: TaskRow, lost: RunRow): Promise<void> {
    const next = await this.#claimRetry(task, lost);
    if (next) await this.#attempts(task, next);
    else await this.#fireEnded(task, lost);
  }

  async #claimRetry(task: TaskRow, previous: RunRow): Promise<RunRow | null> {
    if (previous.attempt > task.retryCount) return null;
    return this.deps.store.claim({
      taskId: task.id,
      trigger: "RETRY",
      scheduledAt: previous.scheduledAt,
      fireKey: previous.fireKey,
      attempt: previous.attempt + 1,
      rootRunId: previous.rootRunId ?? previous.id,
      status: "RUNNING",
      executor: this.deps.dispatcher.executorFor(task),
      ownerId: this.deps.lease.bootId,
      triggeredByRunId: previous.triggeredByRunId,
      // The parameters are part of the fire: every retry runs with them.
      parameters: previous.parameters,
    });
  }

  /** A fire reached its final outcome: its notification and its dependent tasks, side by side. */
  async #fireEnded(task: TaskRow, last: RunRow): Promise<void> {
    const { notifier, fireEnded, log } = this.deps;
    const dependents = fireEnded?.(task, last).catch((err: unknown) =>
      log.error({ err, taskId: task.id, runId: last.id }, "could not start the tasks that depend on this one"),
    );
    await Promise.all([notifier.afterFire(task, last), dependents]);
  }

  async #attempts(task: TaskRow, first: RunRow): Promise<void> {
    const { log } = this.deps;
    // One controller per fire: cancelling any of its attempts also stops the retries.
    const fire = new AbortController();
    let cancelReason = CANCELED_BY_USER;
    const onShutdown = () => {
      cancelReason = SHUTDOWN;
      fire.abort();
    };
    if (this.deps.shutdown.aborted) onShutdown();
    this.#onShutdown.add(onShutdown);
    let run: RunRow | null = first;
    let last: RunRow = first;
    try {
      while (run) {
        const ended = await this.#runAttempt(task, run, fire, () => cancelReason);
        if (!ended) return; // not ours any more: whoever holds the run now carries the fire on
        last = ended;
        if (!RETRYABLE_RUN_STATUSES.includes(last.status as never) || fire.signal.aborted) break;
        if (last.attempt > task.retryCount) break;
        try {
          await sleep(task.retryIntervalSeconds * 1000, undefined, { signal: fire.signal });
        } catch {
          break; // cancelled or shutting down while waiting: the failed attempt stands as the outcome
        }
        run = await this.#claimRetry(task, last);
      }
    } catch (err) {
      log.error({ err, taskId: task.id, runId: last.id }, "run job failed");
    } finally {
      this.#onShutdown.delete(onShutdown);
    }
    await this.#fireEnded(task, last);
  }

  /**
   * Records an attempt's end, trying until the database takes it however long it is away: an
   * attempt that ran is never run again because its result could not be written. Meanwhile this
   * process's lease (renewed as soon as the database is back) keeps vouching for the run.
   */
  /** The database answers again: ends waiting for it are written now, not after their backoff. */
  databaseBack(): void {
    this.#back.resolve();
    this.#back = signal();
  }

  /** Attempts that ended and whose end is being written (more than none while the database is away). */
  get recording(): number {
    return this.#recording;
  }

  async #recordEnd(runId: number, result: ExecutionResult, matched: string[]): Promise<RunRow | null> {
    this.#recording++;
    try {
      return await this.#writeEnd(runId, result, matched);
    } finally {
      this.#recording--;
    }
  }

  async #writeEnd(runId: number, result: ExecutionResult, matched: string[]): Promise<RunRow | null> {
    const { store, lease, log } = this.deps;
    for (let tries = 0; ; tries++) {
      try {
        return await store.finish(runId, lease.bootId, result, matched);
      } catch (err) {
        if (this.deps.shutdown.aborted && tries >= 1) {
          // Stopping for good: nothing here will try again. The run is LOST once its owner is
          // known dead, and retried per its task (the README says so).
          log.error(
            { err, runId, status: result.status },
            "Crondeck stopped before the database took the end of a run",
          );
          return null;
        }
        const waitMs = FINISH_RETRY_MS[Math.min(tries, FINISH_RETRY_MS.length - 1)] as number;
        if (tries === 0 || tries % 20 === 0) {
          log.warn({ err, runId, status: result.status, tries }, "could not record the end of a run yet; keeping it");
        }
        await Promise.race([sleep(waitMs), this.#back.promise]);
      }
    }
  }

  /** One attempt as plain data, for whatever runs it, with the secrets it references resolved. */
  async #request(task: TaskRow, run: RunRow): Promise<ExecutionRequest> {
    // A manual run's parameters go in before the secrets are resolved: they may reference some too.
    const given = parseRunParameters(run.parameters)?.given ?? {};
    const { env: envGiven = {}, ...overrides } = given;
    const { settings, env, mask } = await this.deps.secrets.resolve(
      this.deps.runSettings(task.mode, JSON.parse(task.modeSettings) as Settings, overrides),
      { ...(JSON.parse(task.env) as Record<string, string>), ...envGiven },
    );
    return {
      runId: run.id,
      taskId: task.id,
      scheduledAt: run.scheduledAt,
      attempt: run.attempt,
      mode: task.mode,
      settings,
      env,
      ...(mask.length > 0 ? { mask } : {}),
      timeoutSeconds: task.timeoutSeconds,
      idempotencyKey: `crondeck-${task.id}-${run.fireKey ?? `M${run.rootRunId ?? run.id}`}`,
      outputLimitBytes: this.deps.outputLimitBytes,
      ...(this.deps.fullOutputMaxBytes > 0 ? { fullOutputMaxBytes: this.deps.fullOutputMaxBytes } : {}),
    };
  }

  /** The dispatcher forgets a slot it prepared ahead whose claim was given back. */
  forget(runId: number): void {
    if (this.#preparedAhead.delete(runId)) this.deps.dispatcher.forget?.(runId);
  }

  async #runAttempt(task: TaskRow, run: RunRow, fire: AbortController, reason: () => RunError): Promise<RunRow | null> {
    const { dispatcher, live, log } = this.deps;
    const attempt = new AbortController();
    const cancel = (why: string) => {
      fire.abort(why);
      attempt.abort(why);
    };
    if (fire.signal.aborted) attempt.abort();
    fire.signal.addEventListener("abort", () => attempt.abort(), { once: true });
    live.add(run.id, task.id, cancel);
    live.status(run.id, run.status as RunStatus, () => toApiRun(run));
    let result: ExecutionResult;
    try {
      const outcome = await dispatcher.execute(task, await this.#request(task, run), {
        signal: attempt.signal,
        onOutput: (text) => live.output(run.id, text),
        onGap: (skippedBytes) => live.gap(run.id, skippedBytes),
        onSpawn: (pgid) => {
          this.deps.store.recordPgid(run.id, pgid).catch(() => {}); // only a successor's cleanup uses it
        },
      });
      if (outcome === HANDED_OFF) {
        // Executors elsewhere run it now; whichever instance records its result carries the fire on.
        live.remove(run.id);
        return null;
      }
      result = outcome;
    } catch (err) {
      const now = new Date();
      // A dead worker, NATS away, a missing secret: each knows its error; anything else is ours.
      const failure =
        err instanceof RunErrorException
          ? err.runError
          : runError("EXECUTOR_ERROR", `executor error: ${(err as Error).message}`, { reason: (err as Error).message });
      result = {
        status: "FAILED",
        exitCode: null,
        httpStatus: null,
        output: live.snapshot(run.id)?.output ?? "",
        truncated: false,
        outputBytes: 0,
        error: failure.message,
        errorCode: failure.code,
        errorParams: failure.params,
        startedAt: run.startedAt ?? now,
        finishedAt: now,
        durationMs: now.getTime() - (run.startedAt ?? now).getTime(),
      };
    }
    if (result.status === "CANCELED") {
      const canceled = canceledBy(reason(), result.error);
      result = { ...result, error: canceled.message, errorCode: canceled.code, errorParams: canceled.params };
    }
    // Ended: no longer under way for FORBID here, even while its record waits for the database.
    live.ended(run.id);
    if (this.#disowned.delete(run.id)) {
      live.remove(run.id);
      return null;
    }
    const keywords = JSON.parse(task.notifyKeywords) as string[];
    const finished = await this.#recordEnd(run.id, result, matchKeywords(result.output, keywords));
    if (!finished) {
      live.remove(run.id);
      log.error(
        { runId: run.id, taskId: task.id, status: result.status },
        "the end of a run was not recorded: it was no longer this process's (marked LOST or taken over meanwhile)",
      );
      return null;
    }
    live.status(finished.id, finished.status as RunStatus, () => toApiRun(finished));
    this.deps.ended(finished, task);
    return finished;
  }
}

function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

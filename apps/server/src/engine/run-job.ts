import { setTimeout as sleep } from "node:timers/promises";
import { RETRYABLE_RUN_STATUSES, type RunStatus, type RunTrigger } from "@crondeck/core";
import type { RunRow, TaskRow } from "@crondeck/db";
import { type ExecutionResult, matchKeywords } from "@crondeck/executor";
import { toApiRun } from "../runs/view.ts";
import type { Dispatcher } from "./dispatch.ts";
import type { LiveRuns } from "./live-runs.ts";
import type { Notifier } from "./notifier.ts";
import { fireKeyOf, type RunStore } from "./run-store.ts";

export interface RunJobDeps {
  store: RunStore;
  dispatcher: Dispatcher;
  live: LiveRuns;
  notifier: Notifier;
  outputLimitBytes: number;
  /** Told about every attempt that reached a final status (metrics). */
  ended: (run: RunRow, task: TaskRow) => void;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Aborted when the process shuts down (after the stop grace period): every fire is canceled. */
  shutdown: AbortSignal;
}

export interface FireRequest {
  task: TaskRow;
  scheduledAt: Date;
  trigger: Extract<RunTrigger, "SCHEDULE" | "MANUAL">;
  /** The slot's first attempt, claimed ahead of time by prepare() (status QUEUED). */
  claimed?: RunRow;
}

export interface StartedFire {
  /** The first attempt's run id (SKIPPED when the task was already running under FORBID). */
  runId: number;
  /** Settles when the fire's last attempt and its notification are done. */
  done: Promise<void>;
}

const SHUTDOWN = "Crondeck was shutting down";
/** Waits between tries to record an attempt's end (a deadlock, a database restarting). */
const FINISH_RETRY_MS = [200, 1_000, 3_000];
const FORBIDDEN = "skipped: another run of this task is queued or running (concurrency policy FORBID)";

/**
 * The job that runs a task: one fire, from its first attempt through its retries to the
 * notification. Every attempt is its own run record; retries share the fire's key and root run.
 */
export class RunJob {
  /** How to cancel each fire under way, for the shutdown (one listener, not one per fire). */
  readonly #onShutdown = new Set<() => void>();

  constructor(private readonly deps: RunJobDeps) {
    deps.shutdown.addEventListener("abort", () => {
      for (const cancel of this.#onShutdown) cancel();
    });
  }

  /**
   * Records the fire's first attempt and starts it. Returns null when this slot was already taken
   * by another scheduler instance.
   */
  async start(request: FireRequest): Promise<StartedFire | null> {
    const { task, scheduledAt, trigger, claimed } = request;
    const { store, dispatcher, live } = this.deps;
    if (claimed) return this.#startClaimed(task, claimed);
    const fireKey = trigger === "SCHEDULE" ? fireKeyOf(scheduledAt) : null;

    const claimFirst = (status: "SKIPPED" | "RUNNING", executor: string | null, error?: string) =>
      store.claim({
        taskId: task.id,
        trigger,
        scheduledAt,
        fireKey,
        attempt: 1,
        rootRunId: null,
        status,
        executor,
        error,
      });

    if (task.concurrencyPolicy === "FORBID" && (live.activeForTask(task.id) || (await store.hasActive(task.id)))) {
      const skipped = await claimFirst("SKIPPED", null, FORBIDDEN);
      if (!skipped) return null;
      this.deps.ended(skipped, task);
      return { runId: skipped.id, done: Promise.resolve() };
    }

    const first = await claimFirst("RUNNING", dispatcher.executorFor(task));
    if (!first) return null;
    return { runId: first.id, done: this.#attempts(task, first) };
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
      return await store.claim({
        taskId: task.id,
        trigger: "SCHEDULE",
        scheduledAt,
        fireKey: fireKeyOf(scheduledAt),
        attempt: 1,
        rootRunId: null,
        status: "QUEUED",
        executor: dispatcher.executorFor(task),
      });
    } catch (err) {
      log.warn({ err, taskId: task.id, scheduledAt }, "could not claim a slot ahead of time");
      return undefined;
    }
  }

  async #startClaimed(task: TaskRow, claimed: RunRow): Promise<StartedFire> {
    const { store, live } = this.deps;
    // Only this process can have started a run of the task since the claim (a retry of its previous
    // fire); elsewhere the QUEUED run counts as active and holds FORBID.
    if (task.concurrencyPolicy === "FORBID" && live.activeForTask(task.id)) {
      const skipped = await store.skipClaimed(claimed.id, FORBIDDEN);
      if (skipped) this.deps.ended(skipped, task);
      return { runId: claimed.id, done: Promise.resolve() };
    }
    const run: RunRow = { ...claimed, status: "RUNNING", startedAt: new Date() };
    store.markStarted(run.id);
    return { runId: run.id, done: this.#attempts(task, run) };
  }

  /** Continues a fire whose attempt was found LOST: the next attempt, if any remain. */
  async retryLost(task: TaskRow, lost: RunRow): Promise<void> {
    const next = await this.#claimRetry(task, lost);
    if (next) await this.#attempts(task, next);
    else await this.deps.notifier.afterFire(task, lost);
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
    });
  }

  async #attempts(task: TaskRow, first: RunRow): Promise<void> {
    const { log, notifier } = this.deps;
    // One controller per fire: cancelling any of its attempts also stops the retries.
    const fire = new AbortController();
    let cancelReason = "canceled by a user";
    const onShutdown = () => {
      cancelReason = `canceled: ${SHUTDOWN}`;
      fire.abort();
    };
    if (this.deps.shutdown.aborted) onShutdown();
    this.#onShutdown.add(onShutdown);
    let run: RunRow | null = first;
    let last: RunRow = first;
    try {
      while (run) {
        last = await this.#runAttempt(task, run, fire, () => cancelReason);
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
    await notifier.afterFire(task, last);
  }

  async #recordEnd(runId: number, result: ExecutionResult, matched: string[]): Promise<RunRow> {
    for (const waitMs of FINISH_RETRY_MS) {
      try {
        return await this.deps.store.finish(runId, result, matched);
      } catch (err) {
        this.deps.log.warn({ err, runId, retryInMs: waitMs }, "could not record the end of a run; retrying");
        await sleep(waitMs);
      }
    }
    return this.deps.store.finish(runId, result, matched);
  }

  async #runAttempt(task: TaskRow, run: RunRow, fire: AbortController, reason: () => string): Promise<RunRow> {
    const { dispatcher, live, log, outputLimitBytes } = this.deps;
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
      result = await dispatcher.execute(
        task,
        {
          runId: run.id,
          taskId: task.id,
          scheduledAt: run.scheduledAt,
          attempt: run.attempt,
          mode: task.mode as "SHELL" | "HTTP",
          command: task.command,
          httpMethod: task.httpMethod as "GET" | "POST" | null,
          httpHeaders: JSON.parse(task.httpHeaders) as Record<string, string>,
          httpBody: task.httpBody,
          timeoutSeconds: task.timeoutSeconds,
          idempotencyKey: `crondeck-${task.id}-${run.fireKey ?? `M${run.rootRunId ?? run.id}`}`,
          outputLimitBytes,
        },
        { signal: attempt.signal, onOutput: (text) => live.output(run.id, text) },
      );
    } catch (err) {
      const now = new Date();
      result = {
        status: "FAILED",
        exitCode: null,
        httpStatus: null,
        output: live.snapshot(run.id)?.output ?? "",
        truncated: false,
        outputBytes: 0,
        error: `executor error: ${(err as Error).message}`,
        startedAt: run.startedAt ?? now,
        finishedAt: now,
        durationMs: now.getTime() - (run.startedAt ?? now).getTime(),
      };
    }
    if (result.status === "CANCELED" && !result.error) result = { ...result, error: reason() };
    else if (result.status === "CANCELED") result = { ...result, error: `${reason()}: ${result.error}` };
    const keywords = JSON.parse(task.notifyKeywords) as string[];
    try {
      const finished = await this.#recordEnd(run.id, result, matchKeywords(result.output, keywords));
      live.status(finished.id, finished.status as RunStatus, () => toApiRun(finished));
      this.deps.ended(finished, task);
      return finished;
    } catch (err) {
      // The database is away: the run stays RUNNING until a reaper marks it LOST once its
      // heartbeat is stale; followers are told nothing more from here.
      live.remove(run.id);
      log.error({ err, runId: run.id }, "could not record the end of a run");
      throw err;
    }
  }
}

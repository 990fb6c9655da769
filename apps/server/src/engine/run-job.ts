import { setTimeout as sleep } from "node:timers/promises";
import { RETRYABLE_RUN_STATUSES, type RunTrigger } from "@crondeck/core";
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
}

export interface FireRequest {
  task: TaskRow;
  scheduledAt: Date;
  trigger: Extract<RunTrigger, "SCHEDULE" | "MANUAL">;
  /** Aborted when the process shuts down (after the stop grace period). */
  shutdown: AbortSignal;
}

export interface StartedFire {
  /** The first attempt's run id (SKIPPED when the task was already running under FORBID). */
  runId: number;
  /** Settles when the fire's last attempt and its notification are done. */
  done: Promise<void>;
}

const SHUTDOWN = "Crondeck was shutting down";

/**
 * The job that runs a task: one fire, from its first attempt through its retries to the
 * notification. Every attempt is its own run record; retries share the fire's key and root run.
 */
export class RunJob {
  constructor(private readonly deps: RunJobDeps) {}

  /**
   * Records the fire's first attempt and starts it. Returns null when this slot was already taken
   * by another scheduler instance.
   */
  async start(request: FireRequest): Promise<StartedFire | null> {
    const { task, scheduledAt, trigger } = request;
    const { store, dispatcher, live } = this.deps;
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
      const skipped = await claimFirst(
        "SKIPPED",
        null,
        "skipped: the previous run of this task is still running (concurrency policy FORBID)",
      );
      if (!skipped) return null;
      this.deps.ended(skipped, task);
      return { runId: skipped.id, done: Promise.resolve() };
    }

    const first = await claimFirst("RUNNING", dispatcher.executorFor(task));
    if (!first) return null;
    return { runId: first.id, done: this.#attempts(task, first, request.shutdown) };
  }

  /** Continues a fire whose attempt was found LOST: the next attempt, if any remain. */
  async retryLost(task: TaskRow, lost: RunRow, shutdown: AbortSignal): Promise<void> {
    const next = await this.#claimRetry(task, lost);
    if (next) await this.#attempts(task, next, shutdown);
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

  async #attempts(task: TaskRow, first: RunRow, shutdown: AbortSignal): Promise<void> {
    const { log, notifier } = this.deps;
    // One controller per fire: cancelling any of its attempts also stops the retries.
    const fire = new AbortController();
    let cancelReason = "canceled by a user";
    const onShutdown = () => {
      cancelReason = `canceled: ${SHUTDOWN}`;
      fire.abort();
    };
    shutdown.addEventListener("abort", onShutdown, { once: true });
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
      shutdown.removeEventListener("abort", onShutdown);
    }
    await notifier.afterFire(task, last);
  }

  async #runAttempt(task: TaskRow, run: RunRow, fire: AbortController, reason: () => string): Promise<RunRow> {
    const { store, dispatcher, live, log, outputLimitBytes } = this.deps;
    const attempt = new AbortController();
    const cancel = (why: string) => {
      fire.abort(why);
      attempt.abort(why);
    };
    if (fire.signal.aborted) attempt.abort();
    fire.signal.addEventListener("abort", () => attempt.abort(), { once: true });
    live.add(run.id, task.id, cancel);
    live.status(toApiRun(run));
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
      const finished = await store.finish(run.id, result, matchKeywords(result.output, keywords));
      live.status(toApiRun(finished));
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

import type { MisfirePolicy } from "@crondeck/core";

/** The part of a task the scheduler needs to decide when it fires. */
export interface SchedulableTask {
  id: number;
  cron: string;
  timezone: string;
  enabled: boolean;
  misfirePolicy: MisfirePolicy;
  misfireGraceSeconds: number;
  /** A Date, or its epoch ms (a number costs ~100 fewer bytes per armed task). */
  createdAt: Date | number;
}

/**
 * "The job that runs a task": called once per fired slot, never awaited by the timer path.
 * `signal` aborts when stop()'s grace period runs out.
 */
export type RunTaskJob = (task: SchedulableTask, scheduledAt: Date, signal: AbortSignal) => Promise<void>;

/** pino-compatible: `logger.warn({ taskId }, "message")`. */
export interface SchedulerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SchedulerOptions {
  /**
   * The enabled tasks; called by start(). Many tasks can come as chunks (an async iterable), armed
   * as each arrives, so no full list is held and the event loop turns between chunks.
   */
  loadTasks: () => Promise<SchedulableTask[] | AsyncIterable<SchedulableTask[]>>;
  /** Its errors (thrown or rejected) are logged and never stop the scheduler. */
  runTask: RunTaskJob;
  logger?: SchedulerLogger;
  /** Wall clock in epoch ms; injectable so tests can compute fire times around DST changes. */
  now?: () => number;
  /**
   * How late a slot may still fire after the event loop was blocked or the host slept (default
   * 60,000 ms). A task's misfireGraceSeconds lowers it for that task. Older slots are skipped.
   */
  maxCatchUpMs?: number;
  /** Fires handled per event-loop turn before yielding to I/O (default 2,000). */
  fireBatchSize?: number;
  /**
   * Told, `leadMs` before a slot, which tasks will fire in it, so the caller can do slow work
   * (claiming the slot in a database) before the instant instead of after it. It must not throw;
   * a task re-armed or removed meanwhile may then not fire. Only called with a slot in the future.
   */
  prepareTasks?: (tasks: SchedulableTask[], scheduledAt: Date) => void;
  /** How long before its slot a batch is prepared (default 500 ms; only with prepareTasks). */
  leadMs?: number;
}

import { afterEach } from "vitest";
import {
  type RunTaskJob,
  type SchedulableTask,
  Scheduler,
  type SchedulerLogger,
  type SchedulerOptions,
} from "../src/index.ts";

/** Makes schedulers that are all stopped after each test of the calling file. */
export function schedulerStoppedAfterEach(): (opts: SchedulerOptions) => Scheduler {
  const running: Scheduler[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop(0)));
  });
  return (opts) => {
    const s = new Scheduler(opts);
    running.push(s);
    return s;
  };
}

export function makeTask(overrides: Partial<SchedulableTask> & { id: number }): SchedulableTask {
  return {
    cron: "* * * * * *",
    timezone: "UTC",
    enabled: true,
    misfirePolicy: "SKIP",
    misfireGraceSeconds: 3600,
    createdAt: new Date("2020-01-01T00:00:00Z"),
    ...overrides,
  };
}

/** A runTask that records every fired slot, per task, in call order. */
export function recordingJob(): { runTask: RunTaskJob; slots: Map<number, number[]>; count: (id: number) => number } {
  const slots = new Map<number, number[]>();
  const runTask: RunTaskJob = async (task, scheduledAt) => {
    let list = slots.get(task.id);
    if (!list) {
      list = [];
      slots.set(task.id, list);
    }
    list.push(scheduledAt.getTime());
  };
  return { runTask, slots, count: (id) => slots.get(id)?.length ?? 0 };
}

export interface LogEntry {
  level: "info" | "warn" | "error";
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export function memoryLogger(): SchedulerLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry["level"]) => (obj: object, msg?: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { entries, info: at("info"), warn: at("warn"), error: at("error") };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Holds the event loop, as a CPU-bound handler on a busy server would. */
export function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/** Asserts whole-second slots, each one second after the previous. */
export function expectConsecutiveSeconds(slots: number[]): void {
  for (const [i, at] of slots.entries()) {
    if (at % 1000 !== 0) throw new Error(`slot ${new Date(at).toISOString()} is not on a whole second`);
    const prev = slots[i - 1];
    if (prev !== undefined && at - prev !== 1000) {
      throw new Error(
        `slot ${i} is ${at - prev} ms after the previous one: ${slots.map((s) => new Date(s).toISOString())}`,
      );
    }
  }
}

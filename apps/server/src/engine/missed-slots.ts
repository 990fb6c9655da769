import type { Db, RunRow, TaskRow } from "@crondeck/db";
import type { RunJob } from "./run-job.ts";
import { fireKeyOf, type RunStore } from "./run-store.ts";

/** Slots remembered per task while the database is away; older ones are dropped (and counted). */
const MAX_SLOTS_PER_TASK = 1_000;

const UNREACHABLE = "missed: the database could not be reached when this slot came due";

export interface MissedSlotsDeps {
  db: Db;
  store: RunStore;
  job: RunJob;
  ownerId: () => string;
  ended: (run: RunRow, task: TaskRow) => void;
  track: (done: Promise<void>) => void;
  log: { warn(obj: object, msg: string): void };
}

/**
 * Slots that came due while the database could not be reached: neither claimed nor lost, but kept
 * here until the database answers. Then each follows its task's misfire policy and is recorded with
 * that reason: SKIP records every one SKIPPED; RUN_LATEST runs the latest (if within
 * misfireGraceSeconds) and records the others SKIPPED. Every instance remembers the same slots; the
 * slot key lets only one of them record each.
 */
export class MissedSlots {
  readonly #byTask = new Map<number, Map<number, RunRow | undefined>>();
  #dropped = 0;

  constructor(private readonly deps: MissedSlotsDeps) {}

  get size(): number {
    return this.#byTask.size;
  }

  /** Remembers a slot; `claimed` is this process's claim of it, made before the outage. */
  add(taskId: number, at: Date, claimed?: RunRow): void {
    const slots = this.#byTask.get(taskId) ?? new Map<number, RunRow | undefined>();
    this.#byTask.set(taskId, slots);
    slots.set(at.getTime(), claimed);
    if (slots.size > MAX_SLOTS_PER_TASK) {
      slots.delete(Math.min(...slots.keys()));
      this.#dropped++;
    }
  }

  /** Records the remembered slots, task by task; stops (keeping the rest) if the database fails. */
  async flush(): Promise<void> {
    if (this.#dropped > 0) {
      this.deps.log.warn({ dropped: this.#dropped }, "missed slots beyond the per-task limit were not recorded");
      this.#dropped = 0;
    }
    for (const [taskId, slots] of this.#byTask) {
      await this.#flushTask(taskId, slots);
      this.#byTask.delete(taskId);
    }
  }

  async #flushTask(taskId: number, slots: Map<number, RunRow | undefined>): Promise<void> {
    const { db, store, job } = this.deps;
    const task = await db.task.findUnique({ where: { id: taskId } });
    const claims = [...slots.values()].flatMap((run) => (run ? [run.id] : []));
    if (!task?.enabled) {
      await store.release(claims);
      return;
    }
    const instants = [...slots.keys()].sort((a, b) => a - b);
    const latest = instants.at(-1) as number;
    const runLatest = task.misfirePolicy === "RUN_LATEST" && Date.now() - latest <= task.misfireGraceSeconds * 1000;
    const reason = `${UNREACHABLE} (misfire policy ${task.misfirePolicy}${runLatest ? ": only the latest missed slot runs" : ""})`;
    const skipped = await Promise.all(
      instants
        .filter((at) => !(runLatest && at === latest))
        .map((at) => {
          const claimed = slots.get(at);
          if (claimed) return store.skipClaimed(claimed.id, reason);
          return store.claim({
            taskId,
            trigger: "SCHEDULE",
            scheduledAt: new Date(at),
            fireKey: fireKeyOf(new Date(at)),
            attempt: 1,
            rootRunId: null,
            status: "SKIPPED",
            executor: null,
            ownerId: this.deps.ownerId(),
            error: reason,
          });
        }),
    );
    for (const run of skipped) if (run) this.deps.ended(run, task);
    if (!runLatest) return;
    const claimed = slots.get(latest);
    const started = await job.start({
      task,
      scheduledAt: new Date(latest),
      trigger: "SCHEDULE",
      ...(claimed ? { claimed } : {}),
    });
    if (started) this.deps.track(started.done);
  }
}

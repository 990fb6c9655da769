import { type RunError, runError } from "@crondeck/core";
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
  /** Ids of our own claims among the remembered slots (never started). */
  readonly #held = new Set<number>();
  #dropped = 0;

  constructor(private readonly deps: MissedSlotsDeps) {}

  get size(): number {
    return this.#byTask.size;
  }

  /** Whether a run of ours is one of the remembered slots (a claim waiting to be recorded). */
  holds(runId: number): boolean {
    return this.#held.has(runId);
  }

  /** Remembers a slot; `claimed` is this process's claim of it, made before the outage. */
  add(taskId: number, at: Date, claimed?: RunRow): void {
    const slots = this.#byTask.get(taskId) ?? new Map<number, RunRow | undefined>();
    this.#byTask.set(taskId, slots);
    slots.set(at.getTime(), claimed);
    if (claimed) this.#held.add(claimed.id);
    if (slots.size > MAX_SLOTS_PER_TASK) {
      const oldest = Math.min(...slots.keys());
      const run = slots.get(oldest);
      if (run) this.#held.delete(run.id);
      slots.delete(oldest);
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
      for (const run of slots.values()) if (run) this.#held.delete(run.id);
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
    const reason = runError(
      "MISSED_DB_UNREACHABLE",
      `${UNREACHABLE} (misfire policy ${task.misfirePolicy}${runLatest ? ": only the latest missed slot runs" : ""})`,
      { policy: task.misfirePolicy },
    );
    const skipped = await Promise.all(
      instants.filter((at) => !(runLatest && at === latest)).map((at) => this.#skip(task, at, slots.get(at), reason)),
    );
    for (const run of skipped) if (run) this.deps.ended(run, task);
    if (!runLatest) return;
    const owned =
      slots.get(latest) ?? (await store.unstarted(taskId, fireKeyOf(new Date(latest)), this.deps.ownerId()));
    const started = owned
      ? await job.startOwned(task, owned)
      : await job.start({ task, scheduledAt: new Date(latest), trigger: "SCHEDULE" });
    if (started) this.deps.track(started.done);
  }

  /** Records a missed slot SKIPPED: our own unstarted claim of it, or a new record. */
  async #skip(task: TaskRow, at: number, owned: RunRow | undefined, reason: RunError): Promise<RunRow | null> {
    const { store } = this.deps;
    const ownerId = this.deps.ownerId();
    const fireKey = fireKeyOf(new Date(at));
    if (owned) return store.endUnstarted(owned.id, ownerId, "SKIPPED", reason);
    const recorded = await store.claim({
      taskId: task.id,
      trigger: "SCHEDULE",
      scheduledAt: new Date(at),
      fireKey,
      attempt: 1,
      rootRunId: null,
      status: "SKIPPED",
      executor: null,
      ownerId,
      error: reason,
    });
    if (recorded) return recorded;
    // Taken: by another instance (its record stands), or by our own claim that reached the
    // database after it had reported an error; that one is ended here, never left in progress.
    const mine = await store.unstarted(task.id, fireKey, ownerId);
    return mine ? store.endUnstarted(mine.id, ownerId, "SKIPPED", reason) : null;
  }
}

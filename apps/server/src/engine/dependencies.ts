import { type DependencyCondition, dependencyMet, RETRYABLE_RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { Db, RunRow, TaskRow } from "@crondeck/db";

// Task dependencies, the engine's side: when a fire reaches its final outcome (its last attempt
// ended, no retry to come), the tasks that depend on its task start with trigger DEPENDENCY.
//
// Exactly once across instances: each start claims its first attempt under a fire key that only
// this upstream fire (or, for dependsOnAll, this slot) can produce. The Run table's unique key
// (taskId, fireKey, attempt) refuses a second claim, so a second instance, a re-processing of the
// same end or the recovery sweep starts nothing more.

/** A dependent task's start, as the engine hands it to the run job (the manual run's path). */
export interface DependentStart {
  scheduledAt: Date;
  fireKey: string;
  triggeredByRunId: number;
}

export interface DependenciesDeps {
  db: Db;
  /** Starts `task`'s fire through the run job (FORBID, timeout, retries and notifications apply). */
  start: (task: TaskRow, start: DependentStart) => Promise<void>;
  log: { warn(obj: object, msg: string): void };
}

/** The fire key of a start by one upstream fire: its first attempt's id. */
export const dependencyFireKey = (upstream: Pick<RunRow, "id" | "rootRunId">) =>
  `dep:${upstream.rootRunId ?? upstream.id}`;
/** The fire key of a dependsOnAll start: the slot all its upstreams ended for. */
export const allDependenciesFireKey = (slot: Date) => `deps:${slot.getTime()}`;

/** How many runs up a chain of DEPENDENCY fires are looked at for a task met twice (a cycle). */
const CHAIN_LOOKUP_LIMIT = 100;

/** How far back the recovery sweep looks for fires whose dependents may not have started. */
export const SWEEP_WINDOW_MS = 10 * 60_000;
/** A fire that ended more recently than this is still being handled by its own instance. */
const SWEEP_SETTLE_MS = 5_000;

export class Dependencies {
  constructor(private readonly deps: DependenciesDeps) {}

  /**
   * A fire of `upstream` reached its final outcome with `last`: start what depends on it.
   * `unchangedSince`: only dependents not edited (nor enabled, nor given this upstream) since then.
   */
  async fireEnded(upstream: TaskRow, last: RunRow, unchangedSince?: Date): Promise<void> {
    const status = last.status as RunStatus;
    if (status === "SKIPPED") return; // a FORBID skip is no outcome
    // The upstreamTaskId index: who depends on this task.
    const edges = await this.deps.db.taskDependency.findMany({
      where: { upstreamTaskId: upstream.id },
      include: { task: true },
      orderBy: { taskId: "asc" },
    });
    let chain: Set<number> | undefined;
    for (const edge of edges) {
      const task = edge.task;
      if (!task.enabled || !dependencyMet(edge.on as DependencyCondition, status)) continue;
      if (unchangedSince && task.updatedAt > unchangedSince) continue;
      // The API refuses cycles, but two edits saved at the same instant can each close half of
      // one: a task never starts again from a chain it already ran in, so a cycle cannot loop.
      chain ??= await this.#chainOf(last);
      if (chain.has(task.id)) {
        this.deps.log.warn(
          { taskId: task.id, upstreamTaskId: upstream.id, runId: last.id },
          "dependency cycle: not starting a task again from a chain it already ran in",
        );
        continue;
      }
      if (!task.dependsOnAll) {
        await this.deps.start(task, {
          scheduledAt: last.scheduledAt,
          fireKey: dependencyFireKey(last),
          triggeredByRunId: last.id,
        });
      } else if (await this.#allMet(task.id, upstream.id, last.scheduledAt)) {
        await this.deps.start(task, {
          scheduledAt: last.scheduledAt,
          fireKey: allDependenciesFireKey(last.scheduledAt),
          triggeredByRunId: last.id,
        });
      }
    }
  }

  /** The tasks of the chain of DEPENDENCY fires that led to `last`, its own task included. */
  async #chainOf(last: RunRow): Promise<Set<number>> {
    const tasks = new Set([last.taskId]);
    let next = last.triggeredByRunId;
    for (let hops = 0; next !== null && hops < CHAIN_LOOKUP_LIMIT; hops++) {
      const run = await this.deps.db.run.findUnique({
        where: { id: next },
        select: { taskId: true, triggeredByRunId: true },
      });
      if (!run) break;
      tasks.add(run.taskId);
      next = run.triggeredByRunId;
    }
    return tasks;
  }

  /**
   * Whether every other upstream of `taskId` has a fire for `slot` that reached its final outcome
   * as its edge requires. Two upstreams ending together on two instances: each records its end
   * before it looks, so at least one of them sees both ends (and the fire key keeps it to one).
   */
  async #allMet(taskId: number, endedUpstreamId: number, slot: Date): Promise<boolean> {
    const { db } = this.deps;
    const edges = await db.taskDependency.findMany({
      where: { taskId, upstreamTaskId: { not: endedUpstreamId } },
      include: { upstream: { select: { retryCount: true } } },
    });
    for (const edge of edges) {
      const latest = await db.run.findFirst({
        where: { taskId: edge.upstreamTaskId, scheduledAt: slot, status: { not: "SKIPPED" } },
        orderBy: { id: "desc" },
      });
      if (!latest) return false;
      const status = latest.status as RunStatus;
      const retryComing = RETRYABLE_RUN_STATUSES.includes(status) && latest.attempt <= edge.upstream.retryCount;
      if (retryComing || !dependencyMet(edge.on as DependencyCondition, status)) return false;
    }
    return true;
  }

  /**
   * The recovery sweep for the crash window: an instance that died between an upstream fire's
   * final record and its dependents' start. Fires of tasks with dependents that ended in the last
   * SWEEP_WINDOW_MS (and not in the last few seconds, which their own instance is handling) are
   * handled again; their fire keys make that a no-op for every dependent already started. A
   * dependent saved after the fire ended (it was created, given this upstream or enabled since) is
   * left alone: it did not depend on that fire when it ended.
   */
  async sweep(now = Date.now()): Promise<void> {
    const { db } = this.deps;
    const upstreamIds = (
      await db.taskDependency.findMany({ distinct: ["upstreamTaskId"], select: { upstreamTaskId: true } })
    ).map((edge) => edge.upstreamTaskId);
    if (upstreamIds.length === 0) return;
    const ended = await db.run.findMany({
      where: {
        taskId: { in: upstreamIds },
        finishedAt: { gte: new Date(now - SWEEP_WINDOW_MS), lt: new Date(now - SWEEP_SETTLE_MS) },
        status: { notIn: ["SKIPPED", "QUEUED", "RUNNING"] },
      },
      include: { task: true },
      orderBy: { id: "asc" },
      take: 1_000,
    });
    for (const { task, ...run } of ended) {
      const status = run.status as RunStatus;
      if (RETRYABLE_RUN_STATUSES.includes(status) && run.attempt <= task.retryCount) {
        // Not the fire's last attempt unless no retry was ever made (a shutdown stopped it): only
        // a later attempt of the same fire tells, so such a fire is left alone.
        continue;
      }
      await this.fireEnded(task, run, run.finishedAt ?? undefined);
    }
  }
}

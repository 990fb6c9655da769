import { runError } from "@crondeck/core";
import type { Db, RunRow, TaskRow } from "@crondeck/db";
import { stopOrphanGroup } from "@crondeck/executor";
import { EXECUTOR_BOOT_PREFIX } from "@crondeck/transport-nats";
import type { InstanceLease, Predecessor } from "./lease.ts";
import type { RunJob } from "./run-job.ts";
import type { RunStore } from "./run-store.ts";

/** A claim is taken over once its instant is this far past and its owner silent this long. */
const CLAIM_LATE_MS = 1_500;
const CLAIM_SILENCE_MS = 1_500;
/** A claim taken over later than this after its instant is a missed slot (misfire policy). */
const TAKE_OVER_WITHIN_MS = 10_000;
/** Runs with no owner recorded (written before owners existed) are judged by their heartbeat. */
const LEGACY_STALE_MS = 60_000;

const LOST = runError("LOST", "the process running this attempt stopped answering (it died or lost its database)");
/** Our own claim of a slot this old that never started (a claim that reached the database after it reported an error). */
const OWN_ABANDONED_CLAIM_MS = 35_000;
const BLIND =
  "runs executed by executor processes are in progress, and this instance has no NATS_URL: it leaves them to the instances that have; give every instance the same NATS_URL";
const OWN_ABANDONED = runError(
  "MISSED_ABANDONED_CLAIM",
  "missed: claimed while the database was failing, and never started",
);

export interface ReaperDeps {
  db: Db;
  store: RunStore;
  lease: InstanceLease;
  job: RunJob;
  /** This process's name, recorded as the executor of what it takes over. */
  executorName: string;
  /** LOST once the owner was silent this long (continuous observation). */
  lostSilenceMs: number;
  ended: (run: RunRow, task: TaskRow) => void;
  track: (done: Promise<void>) => void;
  /**
   * Whether this process still accounts for its own run: executing, its end being written, or a
   * missed slot waiting for the database. Its other runs in progress were lost track of.
   */
  accountsFor: (runId: number) => boolean;
  /** A user asked another instance to cancel this process's run (Run.cancelRequestedAt). */
  cancelRequested: (runId: number) => void;
  /** Silence of owners that are not control-plane instances (executors), judged by the dispatcher. */
  silence?: (ownerId: string) => number | "gone" | undefined;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/**
 * Ends what dead processes left in progress. A claim (QUEUED) whose owner went silent before its
 * instant is taken over and run, late by a second or two; a run (RUNNING) whose owner stays silent
 * is LOST and retried per its task. A successor under the same name, or on the same host, knows
 * its predecessor is dead at once and stops the predecessor's leftover process groups first.
 */
export class Reaper {
  /** Own runs in progress that this process did not account for in the previous round. */
  #suspects = new Set<number>();
  #warnedBlind = false;

  constructor(private readonly deps: ReaperDeps) {}

  /** At start-up: the predecessors' runs are ended at once, their orphans stopped first. */
  async atStart(predecessors: Predecessor[]): Promise<void> {
    if (predecessors.length === 0) return;
    const byBoot = new Map(predecessors.map((p) => [p.bootId, p]));
    const runs = await this.deps.db.run.findMany({
      where: { status: { in: ["QUEUED", "RUNNING"] }, ownerId: { in: [...byBoot.keys()] } },
    });
    for (const run of runs) {
      const predecessor = byBoot.get(run.ownerId as string);
      if (run.status === "RUNNING" && run.pgid !== null && predecessor?.sameHost) {
        const stopped = await stopOrphanGroup(run.pgid, run.id);
        if (stopped > 0) {
          this.deps.log.warn({ runId: run.id, pgid: run.pgid, processes: stopped }, "stopped a dead process's orphans");
        }
      }
      await this.#end(run);
    }
  }

  /** One round: judges the runs in progress that other processes own. */
  async round(): Promise<void> {
    const { store, lease } = this.deps;
    // Runs first, owners second: an owner of a listed run registered before it claimed the run.
    const runs = await store.inProgress();
    await lease.observe();
    const now = Date.now();
    const suspects = new Set<number>();
    for (const run of runs) {
      if (run.ownerId === lease.bootId) {
        // The round's own read of the runs in progress carries cancels asked through other instances.
        if (run.cancelRequestedAt) this.deps.cancelRequested(run.id);
        if (this.deps.accountsFor(run.id)) continue;
        if (run.status === "QUEUED" && run.scheduledAt.getTime() > now - OWN_ABANDONED_CLAIM_MS) continue;
        // Twice in a row, so a run between its claim and its start is never taken for abandoned.
        if (!this.#suspects.has(run.id)) {
          suspects.add(run.id);
          continue;
        }
        const ended = await store.endUnstarted(run.id, lease.bootId, "SKIPPED", OWN_ABANDONED);
        if (ended)
          this.deps.log.warn({ runId: run.id, taskId: run.taskId }, "ended a slot claimed here and never started");
        continue;
      }
      if (run.ownerId === null) {
        if ((run.heartbeatAt ?? run.createdAt).getTime() < now - LEGACY_STALE_MS) await this.#end(run);
        continue;
      }
      if (run.ownerId.startsWith(EXECUTOR_BOOT_PREFIX) && !this.deps.silence) {
        // An executor process runs it, and this instance (no NATS_URL) cannot hear executors.
        if (!this.#warnedBlind) this.deps.log.warn({ runId: run.id }, BLIND);
        this.#warnedBlind = true;
        continue;
      }
      const silence = this.deps.silence?.(run.ownerId) ?? lease.silence(run.ownerId);
      // A claim an executor reserved is its own: never taken over, LOST like a running attempt.
      const reserved = run.ownerId.startsWith(EXECUTOR_BOOT_PREFIX);
      if (run.status === "QUEUED" && !reserved) {
        if (run.scheduledAt.getTime() > now - CLAIM_LATE_MS) continue;
        if (silence !== "gone" && silence < CLAIM_SILENCE_MS) continue;
      } else if (silence !== "gone" && silence < this.deps.lostSilenceMs) {
        continue;
      }
      await this.#end(run);
    }
    this.#suspects = suspects;
  }

  async #end(seen: Pick<RunRow, "id" | "status" | "ownerId">): Promise<void> {
    // Judged on a row read without its output; ended from the whole row, read again (its end is
    // recorded, notified and retried with the output so far), unless it changed meanwhile: a
    // claim a peer took over is RUNNING under a live owner now, and is judged afresh next round.
    const run = await this.deps.db.run.findUnique({ where: { id: seen.id } });
    if (!run || run.status !== seen.status || run.ownerId !== seen.ownerId) return;
    const task = await this.deps.db.task.findUnique({ where: { id: run.taskId } });
    if (!task) return; // deleted: its runs go with it
    if (run.status === "QUEUED" && !run.ownerId?.startsWith(EXECUTOR_BOOT_PREFIX)) await this.#takeOverClaim(task, run);
    else await this.#lose(task, run);
  }

  async #lose(task: TaskRow, run: RunRow): Promise<void> {
    const lost = await this.deps.store.markLost(run, LOST);
    if (!lost) return; // another reaper got there first, or the owner recorded its end after all
    this.deps.log.warn({ runId: run.id, taskId: run.taskId, executor: run.executor }, "run lost");
    this.deps.ended(lost, task);
    this.deps.track(this.deps.job.retryLost(task, lost));
  }

  /**
   * A claim its owner never started. Soon after its instant it runs here; later it is a missed slot
   * and follows the task's misfire policy; a disabled task's claim is given back.
   */
  async #takeOverClaim(task: TaskRow, run: RunRow): Promise<void> {
    const { store, lease, executorName } = this.deps;
    if (!task.enabled) {
      await store.release([run.id]);
      return;
    }
    const late = Date.now() - run.scheduledAt.getTime();
    const runLatest = task.misfirePolicy === "RUN_LATEST" && late <= task.misfireGraceSeconds * 1000;
    if (late > TAKE_OVER_WITHIN_MS && !runLatest) {
      const owner = run.executor ?? "the instance";
      const seconds = Math.round(late / 1000);
      const reason = runError(
        "MISSED_OWNER_STOPPED",
        `missed: ${owner} claimed this slot and stopped before running it; found ${seconds} s after the slot (misfire policy ${task.misfirePolicy})`,
        { owner: run.executor ?? "-", seconds, policy: task.misfirePolicy },
      );
      const skipped = await store.markLost(run, reason, "SKIPPED");
      if (skipped) this.deps.ended(skipped, task);
      return;
    }
    const taken = await store.takeOver(run, lease.bootId, executorName);
    if (!taken) return;
    // Later slots claimed ahead do not hold it back: only a run under way now does.
    const othersActive = task.concurrencyPolicy === "FORBID" && (await store.runningOtherThan(task.id, run.id));
    this.deps.log.warn(
      { runId: run.id, taskId: run.taskId, from: run.executor, lateMs: late },
      "took over a slot claimed by an instance that stopped",
    );
    this.deps.track(this.deps.job.runTakenOver(task, taken, othersActive));
  }
}

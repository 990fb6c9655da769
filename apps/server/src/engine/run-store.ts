import type { RunError, RunStatus, RunTrigger } from "@crondeck/core";
import { type Db, isForeignKeyViolation, isUniqueViolation, type Provider, type RunRow } from "@crondeck/db";
import type { ExecutionResult } from "@crondeck/executor";
import { EXECUTOR_BOOT_PREFIX } from "@crondeck/transport-nats";
import type { RunOutputStore } from "../runs/output-store.ts";
import { RunRepository } from "../runs/repository.ts";

export interface NewRun {
  taskId: number;
  trigger: RunTrigger;
  scheduledAt: Date;
  /** Set for scheduled fires (and their retries): the unique key that makes a slot run once. */
  fireKey: string | null;
  attempt: number;
  rootRunId: number | null;
  status: Extract<RunStatus, "RUNNING" | "SKIPPED" | "QUEUED">;
  executor: string | null;
  /** The bootId of the process that owns the attempt (see lease.ts). */
  ownerId: string;
  error?: RunError | null;
  /** trigger DEPENDENCY and its retries: the upstream run whose end started the fire. */
  triggeredByRunId?: number | null;
  /** A manual run's parameters (JSON, see tasks/run-parameters.ts); its retries carry the same. */
  parameters?: string | null;
}

/** A run error as the Run columns hold it: the English text, the code, the params as JSON. */
export function errorColumns(error: RunError | null | undefined) {
  return {
    error: error?.message ?? null,
    errorCode: error?.code ?? null,
    errorParams: error?.params ? JSON.stringify(error.params) : null,
  };
}

/** The slot key of a scheduled fire: the scheduled instant in epoch ms. */
export const fireKeyOf = (scheduledAt: Date) => `S${scheduledAt.getTime()}`;

/**
 * Calls made during one event-loop turn, answered together by one `flush` on the next turn. The
 * scheduler fires a whole due batch in one turn, so its N fires become one statement, not N.
 * One flush at a time: calls that arrive while one is under way go together in the next (group
 * commit), so a stream of calls (executors' starts and results) makes few statements, not a
 * pile of small concurrent ones that a single-writer database answers one after another anyway.
 */
class Coalescer<In, Out> {
  // flush() answers one value per input, in order; an Error answers that input alone with a rejection.
  #pending: Array<{ input: In; resolve: (out: Out) => void; reject: (err: unknown) => void }> = [];
  #draining = false;

  constructor(
    private readonly flush: (inputs: In[]) => Promise<Array<Out | Error>>,
    private readonly maxBatch: number,
  ) {}

  run(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0 && !this.#draining) setImmediate(() => void this.#drain());
      this.#pending.push({ input, resolve, reject });
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#pending.length > 0) await this.#flushAll();
    } finally {
      this.#draining = false;
    }
  }

  async #flushAll(): Promise<void> {
    const all = this.#pending;
    this.#pending = [];
    for (let i = 0; i < all.length; i += this.maxBatch) {
      const part = all.slice(i, i + this.maxBatch);
      try {
        const out = await this.flush(part.map((p) => p.input));
        for (const [j, p] of part.entries()) {
          const value = out[j];
          if (value instanceof Error) p.reject(value);
          else p.resolve(value as Out);
        }
      } catch (err) {
        for (const p of part) p.reject(err);
      }
    }
  }
}

// Rows per statement: SQLite allows 32,766 bound values, MySQL 65,535; a claim row binds 22 (one
// per CLAIM_COLUMNS), a finish row 16 (31 on MySQL: a WHEN and a THEN per FINISH_COLUMNS, and the id).
const MAX_BATCH = 500;
const ACTIVE = ["QUEUED", "RUNNING"];
/**
 * A QUEUED claim whose instant passed this long ago is not counted by FORBID: a live owner marks
 * it RUNNING as it starts, so it was abandoned (its owner died) and will be taken over or ended.
 */
const STALE_CLAIM_MS = 900;
const FINISH_COLUMNS = [
  "status",
  "startedAt",
  "finishedAt",
  "durationMs",
  "exitCode",
  "httpStatus",
  "output",
  "truncated",
  "outputBytes",
  "error",
  "errorCode",
  "errorParams",
  "matchedKeywords",
  "heartbeatAt",
  "updatedAt",
] as const;
const CLAIM_COLUMNS = [
  "taskId",
  "trigger",
  "scheduledAt",
  "fireKey",
  "attempt",
  "rootRunId",
  "status",
  "startedAt",
  "finishedAt",
  "durationMs",
  "heartbeatAt",
  "executor",
  "ownerId",
  "error",
  "errorCode",
  "errorParams",
  "output",
  "matchedKeywords",
  "triggeredByRunId",
  "parameters",
  "createdAt",
  "updatedAt",
] as const;

interface RemoteStart {
  id: number;
  dispatcher: string;
  executorBootId: string;
  executor: string;
  /** Published ahead: the executor holds it (still QUEUED) and starts it at its instant. */
  reserve: boolean;
}

interface Finish {
  id: number;
  ownerId: string;
  result: ExecutionResult;
  matchedKeywords: string[];
}

/** The engine's writes to the Run table. */
export class RunStore {
  readonly #active = new Coalescer<number, boolean>((ids) => this.#activeOf(ids), MAX_BATCH);
  readonly #claims = new Coalescer<NewRun, RunRow | null>((runs) => this.#claimAll(runs), MAX_BATCH);
  readonly #finishes = new Coalescer<Finish, RunRow | null>((items) => this.#finishAll(items), MAX_BATCH);
  readonly #starts = new Coalescer<{ id: number; ownerId: string }, boolean>(
    (items) => this.#startAll(items),
    MAX_BATCH,
  );
  readonly #remoteStarts = new Coalescer<RemoteStart, boolean>((items) => this.#startRemoteAll(items), MAX_BATCH);
  readonly #remoteStarted = new Coalescer<{ id: number; executorBootId: string; startedAt: Date }, boolean>(
    (items) => this.#markStartedAll(items),
    MAX_BATCH,
  );
  readonly #q: string;

  constructor(
    private readonly db: Db,
    /** The batched statements are written in each database's own SQL. */
    private readonly provider: Provider,
    /** Runs of this process in progress in the database but not under way (see Engine). */
    private readonly notUnderWay: (runId: number) => boolean = () => false,
    /** Where the whole output of a run goes when its end is recorded (absent: not kept). */
    private readonly outputs: RunOutputStore | null = null,
  ) {
    this.#q = provider === "mysql" ? "`" : '"';
  }

  /**
   * Records a new attempt. Returns null when another scheduler already recorded this slot and
   * attempt: the database's unique key is what makes a fire happen once across instances.
   * Scheduled fires of one turn are inserted together; manual runs (no slot key) one by one.
   */
  claim(run: NewRun): Promise<RunRow | null> {
    return run.fireKey === null ? this.#claimOne(run) : this.#claims.run(run);
  }

  async #claimOne(run: NewRun): Promise<RunRow | null> {
    try {
      return await this.db.run.create({ data: claimRow(run, new Date()) });
    } catch (err) {
      // Taken by another instance, or its task was deleted meanwhile: either way not ours to run.
      if (isUniqueViolation(err) || isForeignKeyViolation(err)) return null;
      throw err;
    }
  }

  /**
   * One INSERT that skips the slots another instance already holds, then one SELECT for the rows:
   * a row is this call's when it carries this batch's creation instant and executor.
   */
  async #claimAll(runs: NewRun[]): Promise<Array<RunRow | null | Error>> {
    const now = new Date();
    const q = this.#q;
    const rows = runs.map((run) => claimRow(run, now));
    const tuple = `(${CLAIM_COLUMNS.map(() => "?").join(",")})`;
    const verb = this.provider === "mysql" ? "INSERT IGNORE" : "INSERT OR IGNORE";
    try {
      await this.db.$executeRawUnsafe(
        `${verb} INTO ${q}Run${q} (${CLAIM_COLUMNS.map((c) => q + c + q).join(",")}) VALUES ${rows.map(() => tuple).join(",")}`,
        ...rows.flatMap((row) => CLAIM_COLUMNS.map((c) => row[c] ?? null)),
      );
    } catch {
      // A row the key doesn't skip failed (its task was deleted meanwhile), or the database is
      // away: claim one by one, so a deleted task answers null and an outage an error, never
      // "taken" (a failed claim is not a lost race).
      return Promise.all(runs.map((run) => this.#claimOne(run).catch((err: unknown) => asError(err))));
    }
    const found = await this.db.run.findMany({
      where: {
        taskId: { in: [...new Set(runs.map((r) => r.taskId))] },
        fireKey: { in: [...new Set(runs.map((r) => r.fireKey as string))] },
        attempt: { in: [...new Set(runs.map((r) => r.attempt))] },
      },
    });
    const byKey = new Map(found.map((row) => [`${row.taskId}|${row.fireKey}|${row.attempt}`, row]));
    return runs.map((run) => {
      const row = byKey.get(`${run.taskId}|${run.fireKey}|${run.attempt}`);
      // Ours when it carries this batch's instant and our bootId; else another instance got there first.
      return row && row.createdAt.getTime() === now.getTime() && row.ownerId === run.ownerId ? row : null;
    });
  }

  /**
   * Records that a slot claimed ahead (QUEUED) has started: QUEUED becomes RUNNING only while the
   * row is still ours. The fast path calls it right after starting the attempt, so peers see it
   * RUNNING at once; the slow path awaits it before starting. Resolves false when the claim is no
   * longer ours (a peer took it over); rejects when the database cannot be reached.
   */
  confirmStart(id: number, ownerId: string): Promise<boolean> {
    return this.#starts.run({ id, ownerId });
  }

  async #startAll(items: Array<{ id: number; ownerId: string }>): Promise<boolean[]> {
    const now = new Date();
    const ids = items.map((item) => item.id);
    const ownerId = items[0]?.ownerId as string; // one process, one owner
    const { count } = await this.db.run.updateMany({
      where: { id: { in: ids }, status: "QUEUED", ownerId },
      data: { status: "RUNNING", startedAt: now, heartbeatAt: now },
    });
    if (count === ids.length) return ids.map(() => true);
    // Some were not QUEUED: ended already (still ours), or taken over by a peer (not ours).
    const rows = await this.db.run.findMany({ where: { id: { in: ids } }, select: { id: true, ownerId: true } });
    const ours = new Set(rows.filter((r) => r.ownerId === ownerId).map((r) => r.id));
    return ids.map((id) => ours.has(id));
  }

  /**
   * Ends an attempt its owner will not start, only while it is still in progress and that owner's:
   * SKIPPED (FORBID found a run under way, or the slot was missed; never started, so no start
   * time), FAILED (no executor took it in time) or CANCELED (before an executor took it). Null
   * when it ended or moved meanwhile (an executor started it).
   */
  async endUnstarted(
    id: number,
    ownerId: string,
    status: "SKIPPED" | "FAILED" | "CANCELED",
    error: RunError,
  ): Promise<RunRow | null> {
    const { count } = await this.db.run.updateMany({
      where: { id, ownerId, status: { in: ACTIVE } },
      data: {
        status,
        finishedAt: new Date(),
        durationMs: 0,
        ...errorColumns(error),
        ...(status === "SKIPPED" ? { startedAt: null } : {}),
      },
    });
    if (count !== 1) return null;
    const row = await this.db.run.findUnique({ where: { id } });
    if (row) await this.recordLastResults([row]);
    return row;
  }

  /** This process's claim of a slot's first attempt, still in progress (it was never started). */
  unstarted(taskId: number, fireKey: string, ownerId: string): Promise<RunRow | null> {
    return this.db.run.findFirst({ where: { taskId, fireKey, attempt: 1, ownerId, status: { in: ACTIVE } } });
  }

  /**
   * Gives back slots claimed ahead of time that will not fire here (the task was changed or
   * removed, or the process is stopping): deletes the runs that are still QUEUED.
   */
  async release(ids: number[], ownerId?: string): Promise<number> {
    if (ids.length === 0) return 0;
    // With `ownerId`: only claims still held by that owner (an executor may have reserved one).
    const where = { id: { in: ids }, status: "QUEUED", ...(ownerId ? { ownerId } : {}) };
    return (await this.db.run.deleteMany({ where })).count;
  }

  /**
   * Records an attempt's end, only while the run is still in progress and ours. Resolves to null
   * when it no longer is (a reaper marked it LOST, a peer took it over, or its task was deleted).
   */
  finish(id: number, ownerId: string, result: ExecutionResult, matchedKeywords: string[]): Promise<RunRow | null> {
    return this.#finishes.run({ id, ownerId, result, matchedKeywords });
  }

  /**
   * One UPDATE per owner for the attempts that ended in one turn (one owner here, or the executors
   * whose results this control plane records), then one SELECT.
   */
  async #finishAll(items: Finish[]): Promise<Array<RunRow | null>> {
    // The whole output first: once a run reads as ended, its download is complete. (An end that
    // is then refused, its run LOST meanwhile, leaves the output of the attempt that did run.)
    const full = items.flatMap((item) =>
      item.result.fullOutput ? [{ runId: item.id, output: item.result.fullOutput }] : [],
    );
    if (this.outputs && full.length > 0) await this.outputs.save(full);
    const byOwner = new Map<string, Finish[]>();
    for (const item of items) byOwner.set(item.ownerId, [...(byOwner.get(item.ownerId) ?? []), item]);
    for (const [ownerId, owned] of byOwner) await this.#finishOwned(owned, ownerId);
    const found = await this.db.run.findMany({ where: { id: { in: items.map((item) => item.id) } } });
    const byId = new Map(found.map((row) => [row.id, row]));
    // Recorded here when the row carries exactly the end we wrote.
    const recorded = items.map((item) => {
      const row = byId.get(item.id);
      const ours =
        row?.ownerId === item.ownerId &&
        row.status === item.result.status &&
        row.finishedAt?.getTime() === item.result.finishedAt.getTime();
      return ours ? row : null;
    });
    await this.recordLastResults(recorded.filter((row): row is RunRow => row !== null));
    return recorded;
  }

  /**
   * Keeps each task's last result (Task.lastRun*) as attempts end: one UPDATE for the whole batch.
   * The newest attempt by id wins, so an older one ending late (ALLOW overlaps, a late LOST) does
   * not replace it; SKIPPED is not a result (a FORBID skip must not hide the outcome of the run
   * under way). Every path that ends an attempt calls this (finish, endUnstarted, markLost).
   */
  async recordLastResults(rows: Array<Pick<RunRow, "id" | "taskId" | "status" | "finishedAt">>): Promise<void> {
    const newest = new Map<number, Pick<RunRow, "id" | "taskId" | "status" | "finishedAt">>();
    for (const row of rows) {
      if (row.status === "SKIPPED" || ACTIVE.includes(row.status)) continue;
      if ((newest.get(row.taskId)?.id ?? 0) < row.id) newest.set(row.taskId, row);
    }
    if (newest.size === 0) return;
    const q = this.#q;
    const last = [...newest.values()];
    const caseOf = (value: (row: (typeof last)[number]) => unknown) => ({
      sql: `CASE ${q}id${q}${last.map(() => " WHEN ? THEN ?").join("")} END`,
      params: last.flatMap((row) => [row.taskId, value(row)]),
    });
    const id = caseOf((row) => row.id);
    const status = caseOf((row) => row.status);
    const finishedAt = caseOf((row) => row.finishedAt);
    await this.db.$executeRawUnsafe(
      `UPDATE ${q}Task${q} SET ${q}lastRunStatus${q} = ${status.sql}, ${q}lastRunFinishedAt${q} = ${finishedAt.sql}, ${q}lastRunId${q} = ${id.sql} WHERE ${q}id${q} IN (${last.map(() => "?").join(",")}) AND (${q}lastRunId${q} IS NULL OR ${q}lastRunId${q} < ${id.sql})`,
      ...status.params,
      ...finishedAt.params,
      ...id.params,
      ...last.map((row) => row.taskId),
      ...id.params,
    );
  }

  async #finishOwned(items: Finish[], ownerId: string): Promise<void> {
    const q = this.#q;
    const now = new Date();
    const values = items.map((item) => [
      item.id,
      item.result.status,
      item.result.startedAt,
      item.result.finishedAt,
      item.result.durationMs,
      item.result.exitCode,
      item.result.httpStatus,
      item.result.output,
      item.result.truncated,
      item.result.outputBytes,
      item.result.error,
      item.result.errorCode ?? null,
      item.result.errorParams ? JSON.stringify(item.result.errorParams) : null,
      JSON.stringify(item.matchedKeywords),
      item.result.finishedAt,
      now,
    ]);
    if (this.provider === "mysql") {
      // One CASE per column. Not a JOIN to a derived table of the values: MariaDB types a bound
      // string there by its first row and stores longer ones with their length modulo 65,536 (or
      // fails with "table file is corrupted"), which destroyed exactly the outputs over 64 KiB.
      const set = FINISH_COLUMNS.map(
        (c) => `${q}${c}${q} = CASE ${q}id${q}${items.map(() => " WHEN ? THEN ?").join("")} END`,
      );
      await this.db.$executeRawUnsafe(
        `UPDATE ${q}Run${q} SET ${set.join(", ")} WHERE ${q}id${q} IN (${items.map(() => "?").join(",")}) AND ${q}status${q} IN ('QUEUED','RUNNING') AND ${q}ownerId${q} = ?`,
        ...FINISH_COLUMNS.flatMap((_, c) => values.flatMap((v) => [v[0], v[c + 1]])),
        ...items.map((item) => item.id),
        ownerId,
      );
    } else {
      // SQLite names VALUES columns column1, column2, …; a CASE per column would be quadratic.
      const row = `(${["id", ...FINISH_COLUMNS].map(() => "?").join(",")})`;
      await this.db.$executeRawUnsafe(
        `UPDATE ${q}Run${q} SET ${FINISH_COLUMNS.map((c, i) => `${q}${c}${q} = v.column${i + 2}`).join(", ")} FROM (VALUES ${items.map(() => row).join(",")}) AS v WHERE ${q}Run${q}.${q}id${q} = v.column1 AND ${q}Run${q}.${q}status${q} IN ('QUEUED','RUNNING') AND ${q}Run${q}.${q}ownerId${q} = ?`,
        ...values.flat(),
        ownerId,
      );
    }
  }

  /** Whether the task has a run in progress anywhere (for FORBID across instances). */
  hasActive(taskId: number): Promise<boolean> {
    return this.#active.run(taskId);
  }

  async #activeOf(taskIds: number[]): Promise<boolean[]> {
    const rows = await this.db.run.findMany({
      where: {
        taskId: { in: [...new Set(taskIds)] },
        OR: [
          { status: "RUNNING" },
          { status: "QUEUED", scheduledAt: { gte: new Date(Date.now() - STALE_CLAIM_MS) } },
          // Reserved by an executor, to start at its instant (or starting now).
          { status: "QUEUED", ownerId: { startsWith: EXECUTOR_BOOT_PREFIX } },
        ],
      },
      select: { id: true, taskId: true },
    });
    const active = new Set(rows.filter((r) => !this.notUnderWay(r.id)).map((r) => r.taskId));
    return taskIds.map((id) => active.has(id));
  }

  /** Proves the runs are alive and saves their output so far, so a crash loses little. */
  async heartbeat(runs: Array<{ id: number; output: string; truncated: boolean; outputBytes: number }>): Promise<void> {
    const now = new Date();
    for (const run of runs) {
      await this.db.run.updateMany({
        where: { id: run.id, status: { in: ["QUEUED", "RUNNING"] } },
        data: { heartbeatAt: now, output: run.output, truncated: run.truncated, outputBytes: run.outputBytes },
      });
    }
  }

  /** Whether another run of the task is executing now (claims of later slots aside). */
  async runningOtherThan(taskId: number, runId: number): Promise<boolean> {
    return (await this.db.run.count({ where: { taskId, status: "RUNNING", id: { not: runId } } })) > 0;
  }

  /**
   * Every run in progress, whatever process owns it (the reaper judges their owners twice a second),
   * without the output: up to 64 KiB a run saved so far, which judging does not need.
   */
  inProgress(): Promise<Array<Omit<RunRow, "output">>> {
    return this.db.run.findMany({ where: { status: { in: ACTIVE } }, omit: { output: true } });
  }

  /**
   * An executor asks to start an attempt it took from its group's queue. Yes once: the run moves to
   * the executor (its bootId owns it from now on, its heartbeats vouch for it); yes again to the
   * same executor (its first answer was lost); no to anyone else, and once the run ended.
   */
  startRemote(start: RemoteStart): Promise<boolean> {
    return this.#remoteStarts.run(start);
  }

  /** One UPDATE per (dispatcher, executor, reserve) in the batch (a handful), then one SELECT. */
  async #startRemoteAll(items: RemoteStart[]): Promise<boolean[]> {
    const now = new Date();
    const pairs = new Map<string, RemoteStart[]>();
    for (const item of items) {
      const key = `${item.dispatcher} ${item.executorBootId} ${item.executor} ${item.reserve}`;
      pairs.set(key, [...(pairs.get(key) ?? []), item]);
    }
    for (const pair of pairs.values()) {
      const { dispatcher, executorBootId, executor, reserve } = pair[0] as RemoteStart;
      await this.db.run.updateMany({
        where: { id: { in: pair.map((item) => item.id) }, status: { in: ACTIVE }, ownerId: dispatcher },
        data: reserve
          ? { ownerId: executorBootId, executor, heartbeatAt: now }
          : { status: "RUNNING", ownerId: executorBootId, executor, startedAt: now, heartbeatAt: now },
      });
    }
    const rows = await this.db.run.findMany({
      where: { id: { in: items.map((item) => item.id) } },
      select: { id: true, status: true, ownerId: true },
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    // Yes to the executor that holds it now (this batch, or its own earlier ask).
    return items.map((item) => {
      const row = byId.get(item.id);
      return (
        (row?.status === "RUNNING" || (item.reserve && row?.status === "QUEUED")) && row.ownerId === item.executorBootId
      );
    });
  }

  /** A reserved attempt started at its instant, by the executor's clock (its `started` event). */
  markStarted(id: number, executorBootId: string, startedAt: Date): Promise<boolean> {
    return this.#remoteStarted.run({ id, executorBootId, startedAt });
  }

  async #markStartedAll(items: Array<{ id: number; executorBootId: string; startedAt: Date }>): Promise<boolean[]> {
    // Attempts that start in one turn started within a few ms of each other: one instant for all
    // of an executor's would blur that, so one UPDATE each, in one transaction.
    const counts = await this.db.$transaction(
      items.map((item) =>
        this.db.run.updateMany({
          where: { id: item.id, status: "QUEUED", ownerId: item.executorBootId },
          data: { status: "RUNNING", startedAt: item.startedAt, heartbeatAt: new Date() },
        }),
      ),
    );
    return counts.map((c) => c.count === 1);
  }

  /** Takes over a claim its dead owner never started: QUEUED becomes RUNNING under the new owner. */
  async takeOver(run: RunRow, ownerId: string, executor: string): Promise<RunRow | null> {
    const now = new Date();
    const data = { status: "RUNNING", ownerId, executor, startedAt: now, heartbeatAt: now };
    const { count } = await this.db.run.updateMany({
      where: { id: run.id, status: "QUEUED", ownerId: run.ownerId },
      data,
    });
    return count === 1 ? { ...run, ...data } : null;
  }

  /**
   * Ends a run nobody vouches for any more as LOST (or, with `status`, as SKIPPED: a claim that was
   * never started). Conditional on the status and owner, so two reapers can't both end it.
   */
  async markLost(run: RunRow, error: RunError, status: "LOST" | "SKIPPED" = "LOST"): Promise<RunRow | null> {
    const now = new Date();
    const outcome = {
      status,
      finishedAt: now,
      durationMs: run.startedAt && status === "LOST" ? now.getTime() - run.startedAt.getTime() : 0,
      ...errorColumns(error),
    };
    const { count } = await this.db.run.updateMany({
      where: { id: run.id, status: run.status, ownerId: run.ownerId },
      data: outcome,
    });
    if (count !== 1) return null;
    const ended = { ...run, ...outcome };
    await this.recordLastResults([ended]);
    return ended;
  }

  /** Asks the instance running the attempt to cancel it. False when it is no longer in progress. */
  async requestCancel(id: number): Promise<boolean> {
    const { count } = await this.db.run.updateMany({
      where: { id, status: { in: ACTIVE } },
      data: { cancelRequestedAt: new Date() },
    });
    return count === 1;
  }

  /** Remembers the process group of a SHELL attempt, so a successor on this host can stop it. */
  async recordPgid(id: number, pgid: number): Promise<void> {
    await this.db.run.updateMany({ where: { id, status: { in: ACTIVE } }, data: { pgid } });
  }

  /** Deletes runs beyond the retention rules (RunRepository.retain, cleanup's home), a batch at a time. */
  async prune(options: { olderThan: Date; perTask: number; batch?: number }): Promise<number> {
    const removed = await new RunRepository(this.db).retain({ before: options.olderThan, ...options });
    // SQLite's planner statistics (taken at open, see @crondeck/db) follow the tables as they grow:
    // a database opened empty would otherwise be planned as empty for good.
    if (this.provider === "sqlite") await this.db.$executeRawUnsafe("ANALYZE");
    return removed;
  }

  async recordNotification(
    runId: number,
    delivery: { channel: string; target: string; ok: boolean; error: string | null; attempts: number; sentAt: Date },
  ) {
    await this.db.notification.create({ data: { runId, ...delivery } });
  }
}

function claimRow(run: NewRun, now: Date) {
  const running = run.status === "RUNNING";
  const skipped = run.status === "SKIPPED";
  return {
    taskId: run.taskId,
    trigger: run.trigger,
    scheduledAt: run.scheduledAt,
    fireKey: run.fireKey,
    attempt: run.attempt,
    rootRunId: run.rootRunId,
    status: run.status,
    startedAt: running ? now : null,
    finishedAt: skipped ? now : null,
    durationMs: skipped ? 0 : null,
    heartbeatAt: now,
    executor: run.executor,
    ownerId: run.ownerId,
    ...errorColumns(run.error),
    output: "",
    matchedKeywords: "[]",
    triggeredByRunId: run.triggeredByRunId ?? null,
    parameters: run.parameters ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

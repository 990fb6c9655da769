import { FINAL_RUN_STATUSES, RETRYABLE_RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { Db, Prisma, RunRow } from "@crondeck/db";
import { notFound } from "../lib/errors.ts";
import { noteRunsDeleted } from "./fire-counts.ts";
import { RunOutputStore } from "./output-store.ts";
import { notificationPending, toApiRun } from "./view.ts";

export interface RunListQuery {
  page?: number;
  pageSize?: number;
  taskId?: number;
  status?: string;
  trigger?: string;
  executor?: string;
  from?: string;
  to?: string;
  notifyFailed?: boolean;
}

/**
 * Runs scheduled this recently are never cleaned up: a restart may fire a RUN_LATEST task's missed
 * slot up to its misfireGraceSeconds (at most a day) late, and only the slot's stored run keeps it
 * from running a second time. Retries are due within the hour, so their first attempts stay too.
 */
export const CLEANUP_KEEP_MS = 86_400_000;

/** Past this many matching runs, a runs page says "more than" instead of counting them all. */
export const COUNT_LIMIT = 10_000;

/** Runs deleted per statement: small enough that a delete never holds the database for long. */
const DELETE_BATCH = 500;

const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Deletes the runs `where` matches, DELETE_BATCH at a time (their notifications cascade), yielding
 * between batches. A deleted run that was its task's last result takes it along (Task.lastRun*:
 * the older ones went first or are going too), one statement per batch.
 */
export async function deleteRuns(db: Db, where: Prisma.RunWhereInput, batchSize = DELETE_BATCH): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = await db.run.findMany({
      where,
      select: { id: true, taskId: true, scheduledAt: true },
      take: batchSize,
    });
    if (batch.length === 0) return removed;
    const ids = batch.map((r) => r.id);
    removed += (await db.run.deleteMany({ where: { id: { in: ids }, ...where } })).count;
    noteRunsDeleted(
      db,
      batch.map((r) => r.scheduledAt),
    );
    // Plain SQL, so updatedAt (which the engine polls for edited tasks) is left alone.
    const taskIds = [...new Set(batch.map((r) => r.taskId))];
    await db.$executeRawUnsafe(
      `UPDATE \`Task\` SET \`lastRunId\` = NULL, \`lastRunStatus\` = NULL, \`lastRunFinishedAt\` = NULL WHERE \`id\` IN (${taskIds.map(() => "?").join(",")}) AND \`lastRunId\` IN (${ids.map(() => "?").join(",")})`,
      ...taskIds,
      ...ids,
    );
    if (batch.length < batchSize) return removed;
    await yieldTurn();
  }
}

/** Read side of runs for the API (the engine writes them through engine/run-store.ts). */
export class RunRepository {
  readonly #outputs: RunOutputStore;

  constructor(private readonly db: Db) {
    this.#outputs = new RunOutputStore(db);
  }

  /**
   * Newest first, without the output (the detail carries it). The page is chosen by SQL over
   * indexed columns (each filter has an index; the time range walks (scheduledAt, status)), and
   * the total is counted only up to COUNT_LIMIT: counting millions of rows exactly costs seconds
   * on every page, so past that `total` is COUNT_LIMIT and `totalCapped` says there are more.
   */
  async list(query: RunListQuery) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const where: string[] = [];
    const params: unknown[] = [];
    const filter = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (query.taskId !== undefined) filter("r.`taskId` = ?", query.taskId);
    if (query.status) filter("r.`status` = ?", query.status);
    if (query.trigger) filter("r.`trigger` = ?", query.trigger);
    if (query.executor) filter("r.`executor` = ?", query.executor);
    if (query.from) filter("r.`scheduledAt` >= ?", new Date(query.from));
    if (query.to) filter("r.`scheduledAt` < ?", new Date(query.to));
    // Few runs have a failed delivery: walked newest first through Notification(ok, runId), each
    // joined to its run for the other filters, instead of probing every run for one.
    let from = "`Run` r";
    let id = "r.`id`";
    let pick = id;
    if (query.notifyFailed) {
      from = "`Notification` n JOIN `Run` r ON r.`id` = n.`runId`";
      id = "n.`runId`";
      pick = `DISTINCT ${id}`; // a run may have several failed deliveries
      where.push("n.`ok` = 0");
    }
    const whereSql = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const [picked, counted] = await Promise.all([
      this.db.$queryRawUnsafe<Array<{ id: number | bigint }>>(
        `SELECT ${pick} AS id FROM ${from} ${whereSql} ORDER BY ${id} DESC LIMIT ? OFFSET ?`,
        ...params,
        pageSize,
        (page - 1) * pageSize,
      ),
      this.db.$queryRawUnsafe<Array<{ total: number | bigint }>>(
        `SELECT COUNT(*) AS total FROM (SELECT ${pick} AS x FROM ${from} ${whereSql} LIMIT ?) c`,
        ...params,
        COUNT_LIMIT + 1,
      ),
    ]);
    const ids = picked.map((row) => Number(row.id));
    const found = await this.db.run.findMany({
      where: { id: { in: ids } },
      omit: { output: true },
      include: { task: { select: { name: true } }, notifications: { select: { ok: true } } },
    });
    const byId = new Map(found.map((row) => [row.id, row]));
    const items = ids.flatMap((id) => {
      const found = byId.get(id);
      if (!found) return []; // deleted between the two reads
      const { task, notifications, ...row } = found;
      const { output: _omitted, ...run } = toApiRun({ ...row, output: "" });
      return {
        ...run,
        taskName: task.name,
        notificationsSent: notifications.length,
        notificationsFailed: notifications.filter((n) => !n.ok).length,
      };
    });
    const total = Number(counted[0]?.total ?? 0);
    return { items, total: Math.min(total, COUNT_LIMIT), totalCapped: total > COUNT_LIMIT, page, pageSize };
  }

  async get(id: number) {
    const row = await this.db.run.findUnique({
      where: { id },
      include: {
        notifications: { orderBy: { id: "asc" } },
        task: { select: { name: true, retryCount: true, retryIntervalSeconds: true, notifyPolicy: true } },
      },
    });
    if (!row) throw notFound("run", id);
    const { notifications, task, ...run } = row;
    const attempts = await this.db.run.findMany({
      where: { OR: [{ id: run.rootRunId ?? run.id }, { rootRunId: run.rootRunId ?? run.id }] },
      select: { id: true, attempt: true, status: true },
      orderBy: { attempt: "asc" },
    });
    return {
      ...toApiRun(run),
      taskName: task.name,
      triggeredBy: await this.triggeredBy(run),
      blockedBy: await this.blockedBy(run),
      attempts: attempts.map((a) => ({ id: a.id, attempt: a.attempt, status: a.status as RunStatus })),
      maxAttempts: Math.max(task.retryCount + 1, run.attempt),
      nextAttemptAt: nextAttemptAt(run, task, attempts.at(-1)?.attempt ?? run.attempt),
      fullOutput: await this.#outputs.info(run),
      notificationPending: notificationPending(
        run,
        task,
        attempts.at(-1)?.attempt ?? run.attempt,
        notifications.length,
      ),
      notifications: notifications.map((n) => ({
        channel: n.channel,
        target: n.target,
        ok: n.ok,
        error: n.error,
        attempts: n.attempts,
        sentAt: n.sentAt.toISOString(),
      })),
    };
  }

  /** The upstream run (and its task) that started a DEPENDENCY fire, while it is still stored. */
  async triggeredBy(run: RunRow): Promise<{ runId: number; taskId: number; taskName: string } | null> {
    if (run.triggeredByRunId === null) return null;
    const upstream = await this.db.run.findUnique({
      where: { id: run.triggeredByRunId },
      select: { id: true, taskId: true, task: { select: { name: true } } },
    });
    return upstream ? { runId: upstream.id, taskId: upstream.taskId, taskName: upstream.task.name } : null;
  }

  /**
   * For a run skipped by FORBID: the run of the task that was under way when it was decided (the
   * engine records only the reason, so it is found here by time). Null for every other run.
   */
  async blockedBy(run: RunRow): Promise<number | null> {
    // By its code; runs recorded before codes existed by their text.
    const forbid = run.errorCode === "SKIPPED_FORBID" || run.error?.includes("concurrency policy FORBID");
    if (run.status !== "SKIPPED" || !forbid) return null;
    const decidedAt = run.finishedAt ?? run.createdAt;
    const holder = await this.db.run.findFirst({
      where: {
        taskId: run.taskId,
        id: { not: run.id },
        status: { not: "SKIPPED" },
        createdAt: { lte: decidedAt },
        OR: [{ finishedAt: null }, { finishedAt: { gte: decidedAt } }],
      },
      orderBy: { id: "desc" },
      select: { id: true },
    });
    return holder?.id ?? null;
  }

  /**
   * Deletes (or, dry, counts) the ended runs that finished before `before`, of one task or all,
   * except those scheduled within the last CLEANUP_KEEP_MS. Their notifications go with them.
   */
  async cleanup(input: { before: Date; taskId?: number; dryRun?: boolean }, now = Date.now()) {
    const where = this.#cleanupWhere(input, now);
    const runs = input.dryRun ? await this.db.run.count({ where }) : await deleteRuns(this.db, where);
    return { runs, dryRun: input.dryRun ?? false, keptSince: new Date(now - CLEANUP_KEEP_MS).toISOString() };
  }

  #cleanupWhere(input: { before: Date; taskId?: number }, now: number): Prisma.RunWhereInput {
    return {
      status: { in: [...FINAL_RUN_STATUSES] },
      finishedAt: { lt: input.before },
      scheduledAt: { lt: new Date(now - CLEANUP_KEEP_MS) },
      ...(input.taskId !== undefined ? { taskId: input.taskId } : {}),
    };
  }

  /**
   * Retention (RUN_RETENTION_DAYS, RUN_RETENTION_PER_TASK): the cleanup above for runs that finished
   * before `before`, then the runs of each task beyond its newest `perTask`, with the same
   * CLEANUP_KEEP_MS guard. Bounded batches, each found through an index, the event loop free
   * between them, so fires go on meanwhile. Returns how many runs went.
   */
  async retain(options: { before: Date; perTask: number; batch?: number }, now = Date.now()): Promise<number> {
    const batch = options.batch ?? DELETE_BATCH;
    let removed = await deleteRuns(this.db, this.#cleanupWhere({ before: options.before }, now), batch);
    const keptSince = new Date(now - CLEANUP_KEEP_MS);
    // Tasks in chunks by id: one grouped count per chunk through Run(taskId, id) finds the crowded ones.
    for (let after = 0; ; ) {
      const chunk = await this.db.task.findMany({
        where: { id: { gt: after } },
        orderBy: { id: "asc" },
        take: batch,
        select: { id: true },
      });
      if (chunk.length === 0) break;
      after = chunk.at(-1)?.id ?? after;
      const crowded = await this.db.run.groupBy({
        by: ["taskId"],
        where: { taskId: { in: chunk.map((t) => t.id) } },
        _count: { _all: true },
        having: { id: { _count: { gt: options.perTask } } },
      });
      for (const group of crowded) {
        const boundary = await this.db.run.findFirst({
          where: { taskId: group.taskId },
          orderBy: { id: "desc" },
          skip: options.perTask,
          select: { id: true },
        });
        if (!boundary) continue;
        removed += await deleteRuns(
          this.db,
          {
            taskId: group.taskId,
            id: { lte: boundary.id },
            status: { in: [...FINAL_RUN_STATUSES] },
            scheduledAt: { lt: keptSince },
          },
          batch,
        );
      }
      await yieldTurn();
    }
    return removed;
  }

  /**
   * A run's output with what a download names and says about it: its whole output (`full`,
   * decompressed as it is read) when kept, else the head and tail stored on the run.
   */
  async output(id: number) {
    const row = await this.db.run.findUnique({
      where: { id },
      select: {
        id: true,
        status: true,
        output: true,
        truncated: true,
        outputBytes: true,
        task: { select: { name: true } },
      },
    });
    if (!row) throw notFound("run", id);
    const { task, status, ...run } = row;
    // Its file is whole once the run has ended (it is written before the end is recorded).
    const ended = FINAL_RUN_STATUSES.includes(status as RunStatus);
    const full = run.truncated && ended ? await this.#outputs.open(run.id) : null;
    return { ...run, taskName: task.name, full };
  }

  /** A run's status and output as stored (for following a run that executes elsewhere). */
  async poll(id: number) {
    const row = await this.db.run.findUnique({ where: { id } });
    return row ? toApiRun(row) : null;
  }
}

/** A retry is claimed this long after its due time at the latest; past that none is coming (canceled, shut down). */
const RETRY_GRACE_MS = 60_000;

/**
 * When the next attempt of this run's fire is due: only for a failed attempt that is the fire's
 * latest and has attempts left (by the task's current retry settings). LOST attempts are retried at once.
 */
function nextAttemptAt(
  run: RunRow,
  task: { retryCount: number; retryIntervalSeconds: number },
  latestAttempt: number,
): string | null {
  if (!RETRYABLE_RUN_STATUSES.includes(run.status as RunStatus) || !run.finishedAt) return null;
  if (run.attempt < latestAttempt || run.attempt > task.retryCount) return null;
  const due = run.finishedAt.getTime() + (run.status === "LOST" ? 0 : task.retryIntervalSeconds * 1000);
  return Date.now() > due + RETRY_GRACE_MS ? null : new Date(due).toISOString();
}

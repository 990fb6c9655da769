import { FINAL_RUN_STATUSES, RETRYABLE_RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { Db, Prisma, RunRow } from "@crondeck/db";
import { notFound } from "../lib/errors.ts";
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

/** Read side of runs for the API (the engine writes them through engine/run-store.ts). */
export class RunRepository {
  constructor(private readonly db: Db) {}

  /** Newest first, without the output (the detail carries it). */
  async list(query: RunListQuery) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const where: Prisma.RunWhereInput = {};
    if (query.taskId !== undefined) where.taskId = query.taskId;
    if (query.status) where.status = query.status;
    if (query.trigger) where.trigger = query.trigger;
    if (query.executor) where.executor = query.executor;
    if (query.notifyFailed) where.notifications = { some: { ok: false } };
    if (query.from || query.to) {
      where.scheduledAt = {
        ...(query.from ? { gte: new Date(query.from) } : {}),
        ...(query.to ? { lt: new Date(query.to) } : {}),
      };
    }
    const [rows, total] = await Promise.all([
      this.db.run.findMany({
        where,
        orderBy: { id: "desc" },
        skip: (page - 1) * pageSize,
        take: pageSize,
        omit: { output: true },
        include: { task: { select: { name: true } }, notifications: { select: { ok: true } } },
      }),
      this.db.run.count({ where }),
    ]);
    const items = rows.map(({ task, notifications, ...row }) => {
      const { output: _omitted, ...run } = toApiRun({ ...row, output: "" });
      return {
        ...run,
        taskName: task.name,
        notificationsSent: notifications.length,
        notificationsFailed: notifications.filter((n) => !n.ok).length,
      };
    });
    return { items, total, page, pageSize };
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
      blockedBy: await this.blockedBy(run),
      attempts: attempts.map((a) => ({ id: a.id, attempt: a.attempt, status: a.status as RunStatus })),
      maxAttempts: Math.max(task.retryCount + 1, run.attempt),
      nextAttemptAt: nextAttemptAt(run, task, attempts.at(-1)?.attempt ?? run.attempt),
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

  /**
   * For a run skipped by FORBID: the run of the task that was under way when it was decided (the
   * engine records only the reason, so it is found here by time). Null for every other run.
   */
  async blockedBy(run: RunRow): Promise<number | null> {
    if (run.status !== "SKIPPED" || !run.error?.includes("concurrency policy FORBID")) return null;
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
    const keptSince = new Date(now - CLEANUP_KEEP_MS);
    const where: Prisma.RunWhereInput = {
      status: { in: [...FINAL_RUN_STATUSES] },
      finishedAt: { lt: input.before },
      scheduledAt: { lt: keptSince },
      ...(input.taskId !== undefined ? { taskId: input.taskId } : {}),
    };
    const runs = input.dryRun ? await this.db.run.count({ where }) : (await this.db.run.deleteMany({ where })).count;
    return { runs, dryRun: input.dryRun ?? false, keptSince: keptSince.toISOString() };
  }

  /** A run's output with what a download names and says about it. */
  async output(id: number) {
    const row = await this.db.run.findUnique({
      where: { id },
      select: { id: true, output: true, truncated: true, outputBytes: true, task: { select: { name: true } } },
    });
    if (!row) throw notFound("run", id);
    const { task, ...run } = row;
    return { ...run, taskName: task.name };
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

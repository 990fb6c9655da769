import { RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../../../lib/schemas.ts";
import { ExecutorView, listExecutors } from "../executors/index.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const Counts = Type.Record(Type.String(), Type.Integer(), {
  description: "fires by the status of their latest attempt (a retried fire counts once)",
});
const Bucket = Type.Object({ start: Type.String({ format: "date-time" }), counts: Counts });

const Stats = Type.Object({
  tasks: Type.Object({ total: Type.Integer(), enabled: Type.Integer() }),
  runsByStatus24h: Counts,
  runsByHour24h: Type.Array(Bucket, { description: "24 hourly buckets, oldest first (by scheduled time)" }),
  runsByDay7d: Type.Array(Bucket, { description: "7 daily buckets (UTC days), oldest first" }),
  failingTasks: Type.Array(
    Type.Object({ id: Type.Integer(), name: Type.String(), status: Type.String(), lastRunAt: Type.String() }),
    { description: "tasks whose latest finished run failed, timed out or was lost" },
  ),
  upcoming: Type.Array(Type.Object({ taskId: Type.Integer(), name: Type.String(), nextRunAt: Type.String() })),
  executors: Type.Array(ExecutorView),
});

const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  /** Fire counts by status for each [start, start + size) window, one grouped count per window. */
  async function buckets(first: number, size: number, count: number, superseded: Superseded[]) {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const start = first + i * size;
        const groups = await db.run.groupBy({
          by: ["status"],
          where: { scheduledAt: { gte: new Date(start), lt: new Date(start + size) } },
          _count: { _all: true },
        });
        return { start: new Date(start).toISOString(), counts: countsOf(groups, superseded, start, start + size) };
      }),
    );
  }

  /**
   * The attempts a later attempt of the same fire replaced, scheduled at or after `since`: the
   * counts are of fires (by their latest attempt), so a fire retried twice is one failure, not three.
   * Only fires that were retried are read (all attempts of a fire share its scheduled time).
   */
  async function supersededSince(since: number): Promise<Superseded[]> {
    const retries = await db.run.findMany({
      where: { rootRunId: { not: null }, scheduledAt: { gte: new Date(since) } },
      select: { rootRunId: true },
      distinct: ["rootRunId"],
    });
    const roots = retries.map((r) => r.rootRunId as number);
    if (roots.length === 0) return [];
    const attempts = await db.run.findMany({
      where: { OR: [{ id: { in: roots } }, { rootRunId: { in: roots } }] },
      select: { id: true, rootRunId: true, attempt: true, status: true, scheduledAt: true },
    });
    const latest = new Map<number, number>();
    for (const a of attempts) {
      const root = a.rootRunId ?? a.id;
      latest.set(root, Math.max(latest.get(root) ?? 0, a.attempt));
    }
    return attempts
      .filter((a) => a.attempt < (latest.get(a.rootRunId ?? a.id) ?? 0))
      .map((a) => ({ status: a.status, at: a.scheduledAt.getTime() }));
  }

  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["system"],
        operationId: "getStats",
        summary:
          "Counts for the dashboard: tasks, runs by outcome over 24 h and 7 d, failing tasks, upcoming fires, executors",
        response: { 200: Stats, ...errors(400) },
      },
    },
    async () => {
      const now = Date.now();
      const thisHour = Math.floor(now / HOUR) * HOUR;
      const today = Math.floor(now / DAY) * DAY;
      const superseded = await supersededSince(Math.min(now - DAY, today - 6 * DAY, thisHour - 23 * HOUR));
      const [total, enabled, last24, byHour, byDay, failing, executors] = await Promise.all([
        db.task.count(),
        db.task.count({ where: { enabled: true } }),
        db.run.groupBy({
          by: ["status"],
          where: { scheduledAt: { gte: new Date(now - DAY) } },
          _count: { _all: true },
        }),
        buckets(thisHour - 23 * HOUR, HOUR, 24, superseded),
        buckets(today - 6 * DAY, DAY, 7, superseded),
        failingTasks(),
        listExecutors(app),
      ]);
      const next = app.engine.upcoming(10);
      const names = new Map(
        (
          await db.task.findMany({ where: { id: { in: next.map((n) => n.id) } }, select: { id: true, name: true } })
        ).map((t) => [t.id, t.name]),
      );
      return {
        tasks: { total, enabled },
        runsByStatus24h: countsOf(last24, superseded, now - DAY, Number.POSITIVE_INFINITY),
        runsByHour24h: byHour,
        runsByDay7d: byDay,
        failingTasks: failing,
        upcoming: next.map((n) => ({ taskId: n.id, name: names.get(n.id) ?? "", nextRunAt: n.at.toISOString() })),
        executors,
      };
    },
  );

  /** Tasks whose newest finished run is a failure: one grouped query for the newest ids, one fetch. */
  async function failingTasks() {
    const newest = await db.run.groupBy({
      by: ["taskId"],
      where: { status: { notIn: ["QUEUED", "RUNNING", "SKIPPED"] } },
      _max: { id: true },
    });
    const ids = newest.map((g) => g._max.id).filter((id): id is number => id !== null);
    const runs = await db.run.findMany({
      where: { id: { in: ids }, status: { in: ["FAILED", "TIMED_OUT", "LOST"] } },
      select: { taskId: true, status: true, finishedAt: true, createdAt: true, task: { select: { name: true } } },
      orderBy: { id: "desc" },
      take: 20,
    });
    return runs.map((r) => ({
      id: r.taskId,
      name: r.task.name,
      status: r.status,
      lastRunAt: (r.finishedAt ?? r.createdAt).toISOString(),
    }));
  }
};

interface Superseded {
  status: string;
  /** Its fire's scheduled time (ms). */
  at: number;
}

/** Counts by status of the runs in [from, to), less the attempts a retry of their fire replaced. */
function countsOf(
  groups: Array<{ status: string; _count: { _all: number } }>,
  superseded: Superseded[],
  from: number,
  to: number,
): Record<RunStatus, number> {
  const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const g of groups) counts[g.status as RunStatus] = g._count._all;
  for (const s of superseded) if (s.at >= from && s.at < to) counts[s.status as RunStatus] -= 1;
  return counts;
}

export default statsRoutes;

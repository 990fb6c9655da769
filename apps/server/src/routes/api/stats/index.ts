import { RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors, StringEnum } from "../../../lib/schemas.ts";
import { FireCounts, type Counts as FireTally, HOUR, sumCounts } from "../../../runs/fire-counts.ts";
import { ExecutorView, listExecutors } from "../executors/index.ts";

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
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      status: StringEnum(RUN_STATUSES),
      lastRunAt: Type.String(),
    }),
    { description: "tasks whose latest finished run failed, timed out or was lost" },
  ),
  upcoming: Type.Array(Type.Object({ taskId: Type.Integer(), name: Type.String(), nextRunAt: Type.String() })),
  executors: Type.Array(ExecutorView),
});

const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  // Hours and minutes counted once and kept until a run in them changes (see FireCounts).
  const fires = new FireCounts(db);

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
      const dayAgo = now - DAY;
      // Runs claimed ahead may be scheduled a little past this hour: counted live.
      const [byEnabled, span, ahead, restOfToday, failing, executors] = await Promise.all([
        // One pass over Task(enabled) for both task counts.
        db.task.groupBy({ by: ["enabled"], _count: { _all: true } }),
        fires.view(now),
        fires.range(thisHour + HOUR, Number.POSITIVE_INFINITY),
        fires.range(thisHour + HOUR, today + DAY),
        failingTasks(),
        listExecutors(app),
      ]);
      const hourStarts = Array.from({ length: 24 }, (_, i) => thisHour - (23 - i) * HOUR);
      const dayStarts = Array.from({ length: 7 }, (_, i) => today - (6 - i) * DAY);
      const [last24, byHour, byDay] = await Promise.all([
        span(dayAgo, thisHour + HOUR),
        Promise.all(hourStarts.map((start) => span(start, start + HOUR))),
        Promise.all(dayStarts.map((start) => span(start, Math.min(start + DAY, thisHour + HOUR)))),
      ]);
      const next = app.engine.upcoming(10);
      const names = new Map(
        (
          await db.task.findMany({ where: { id: { in: next.map((n) => n.id) } }, select: { id: true, name: true } })
        ).map((t) => [t.id, t.name]),
      );
      return {
        tasks: {
          total: byEnabled.reduce((n, g) => n + g._count._all, 0),
          enabled: byEnabled.find((g) => g.enabled)?._count._all ?? 0,
        },
        runsByStatus24h: sumCounts([last24, ahead]),
        runsByHour24h: hourStarts.map((start, i) => ({
          start: new Date(start).toISOString(),
          counts: byHour[i] as FireTally,
        })),
        runsByDay7d: dayStarts.map((start, i) => ({
          start: new Date(start).toISOString(),
          counts: i === 6 ? sumCounts([byDay[i] as FireTally, restOfToday]) : (byDay[i] as FireTally),
        })),
        failingTasks: failing,
        upcoming: next.map((n) => ({ taskId: n.id, name: names.get(n.id) ?? "", nextRunAt: n.at.toISOString() })),
        executors,
      };
    },
  );

  /** Tasks whose last result (kept on the task, see RunStore.recordLastResults) is a failure, newest first. */
  async function failingTasks() {
    // One walk of Task(lastRunStatus, lastRunId) per failed status, newest first, merged here.
    const parts = await Promise.all(
      ["FAILED", "TIMED_OUT", "LOST"].map((status) =>
        db.task.findMany({
          where: { lastRunStatus: status },
          select: { id: true, name: true, lastRunId: true, lastRunStatus: true, lastRunFinishedAt: true },
          orderBy: { lastRunId: "desc" },
          take: 20,
        }),
      ),
    );
    const tasks = parts
      .flat()
      .sort((a, b) => (b.lastRunId ?? 0) - (a.lastRunId ?? 0))
      .slice(0, 20);
    return tasks.map((t) => ({
      id: t.id,
      name: t.name,
      status: t.lastRunStatus as RunStatus,
      lastRunAt: (t.lastRunFinishedAt ?? new Date(0)).toISOString(),
    }));
  }
};

export default statsRoutes;

import type { Stats as ServerStats, TaskPage } from "@crondeck/api-client";
import type { RunStatus } from "@crondeck/core";
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../../../lib/api-client.ts";

export type { ExecutorInfo } from "@crondeck/api-client";

type Counts = Partial<Record<RunStatus, number>>;

/**
 * One bar of a chart as the server sends it: `{start, counts}`; the flat form
 * `{hour|day, SUCCEEDED: n, ...}` is read too.
 */
export type StatsBucket = Partial<ServerStats["runsByHour24h"][number]> & { hour?: string; day?: string } & Counts;

/** A bar ready to draw: when it starts and how many runs ended how. */
export interface ChartBucket {
  time: string;
  counts: Counts;
}

export function toChartBucket(bucket: StatsBucket): ChartBucket {
  return { time: bucket.start ?? bucket.hour ?? bucket.day ?? "", counts: bucket.counts ?? bucket };
}

/** GET /api/stats. Every part is optional: the dashboard shows what the server sends. */
export type Stats = Partial<ServerStats>;

export function useStats() {
  return useQuery({
    queryKey: ["stats"],
    // A server without the stats endpoint yet is not an error: every part is simply missing.
    queryFn: ({ signal }) =>
      api.get<Stats>("/api/stats", undefined, signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return {} as Stats;
        throw error;
      }),
    refetchInterval: 30_000,
  });
}

/**
 * Task counts and upcoming fires read from the task list, for a stats answer that lacks them:
 * the total, the enabled ones in order of their next fire.
 */
export function useTaskSummary(needed: boolean) {
  return useQuery({
    queryKey: ["overview", "task-summary"],
    enabled: needed,
    refetchInterval: 30_000,
    queryFn: async ({ signal }) => {
      const [all, enabled] = await Promise.all([
        api.get<TaskPage>("/api/tasks", { page: 1, pageSize: 1 }, signal),
        api.get<TaskPage>(
          "/api/tasks",
          { page: 1, pageSize: 8, enabled: "true", sort: "nextRunAt", order: "asc" },
          signal,
        ),
      ]);
      const upcoming = enabled.items
        .filter((task) => task.nextRunAt)
        .map((task) => ({ taskId: task.id, name: task.name, nextRunAt: task.nextRunAt as string }));
      return { tasks: { total: all.total, enabled: enabled.total }, upcoming };
    },
  });
}

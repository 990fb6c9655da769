import type { NotifyChannel } from "@crondeck/core";
import type { Db, Prisma } from "@crondeck/db";
import { notFound } from "../lib/errors.ts";
import { toApiRun } from "./view.ts";

export interface RunListQuery {
  page?: number;
  pageSize?: number;
  taskId?: number;
  status?: string;
  from?: string;
  to?: string;
}

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
        include: { task: { select: { name: true } } },
      }),
      this.db.run.count({ where }),
    ]);
    const items = rows.map(({ task, ...row }) => {
      const { output: _omitted, ...run } = toApiRun({ ...row, output: "" });
      return { ...run, taskName: task.name };
    });
    return { items, total, page, pageSize };
  }

  async get(id: number) {
    const row = await this.db.run.findUnique({
      where: { id },
      include: { notifications: { orderBy: { id: "asc" } }, task: { select: { name: true } } },
    });
    if (!row) throw notFound("run", id);
    const { notifications, task, ...run } = row;
    return {
      ...toApiRun(run),
      taskName: task.name,
      notifications: notifications.map((n) => ({
        channel: n.channel as NotifyChannel,
        target: n.target,
        ok: n.ok,
        error: n.error,
        attempts: n.attempts,
        sentAt: n.sentAt.toISOString(),
      })),
    };
  }

  /** A run's status and output as stored (for following a run that executes elsewhere). */
  async poll(id: number) {
    const row = await this.db.run.findUnique({ where: { id } });
    return row ? toApiRun(row) : null;
  }
}

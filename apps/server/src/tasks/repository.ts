import type { RunStatus, Task } from "@crondeck/core";
import { type Db, isUniqueViolation, type Prisma, type TaskRow, taskNameKey } from "@crondeck/db";
import { conflict, notFound } from "../lib/errors.ts";
import type { TaskListQuery } from "../routes/api/tasks/schema.ts";
import { maskHeaders, maskWebhookUrl } from "./credentials.ts";
import type { TaskWrite } from "./normalize.ts";

/** Where a task's next fire time comes from: the scheduler when it runs here, else croner directly. */
export type NextRunAt = (row: TaskRow) => Date | null;

export interface LastRun {
  id: number;
  status: RunStatus;
  finishedAt: string | null;
}

export type TaskWithLastRun = Task & { lastRun: LastRun | null };

export function toApiTask(row: TaskRow, nextRunAt: NextRunAt): Task {
  const next = row.enabled ? nextRunAt(row) : null;
  return {
    id: row.id,
    name: row.name,
    mode: row.mode as Task["mode"],
    httpMethod: row.httpMethod as Task["httpMethod"],
    cron: row.cron,
    timezone: row.timezone,
    command: row.command,
    httpHeaders: maskHeaders(JSON.parse(row.httpHeaders) as Record<string, string>),
    httpBody: row.httpBody,
    executorGroup: row.executorGroup,
    timeoutSeconds: row.timeoutSeconds,
    retryCount: row.retryCount,
    retryIntervalSeconds: row.retryIntervalSeconds,
    concurrencyPolicy: row.concurrencyPolicy as Task["concurrencyPolicy"],
    misfirePolicy: row.misfirePolicy as Task["misfirePolicy"],
    misfireGraceSeconds: row.misfireGraceSeconds,
    notifyPolicy: row.notifyPolicy as Task["notifyPolicy"],
    notifyChannel: row.notifyChannel as Task["notifyChannel"],
    notifyEmails: JSON.parse(row.notifyEmails) as string[],
    notifyWebhookUrl: maskWebhookUrl(row.notifyWebhookUrl),
    notifyWebhookFormat: row.notifyWebhookFormat as Task["notifyWebhookFormat"],
    notifyWebhookSecretSet: row.notifyWebhookSecret !== null,
    notifyKeywords: JSON.parse(row.notifyKeywords) as string[],
    enabled: row.enabled,
    remark: row.remark,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    nextRunAt: next ? next.toISOString() : null,
  };
}

const NAME_MAX = 64;

/**
 * "<name> (copy)" for n = 1, else "<name> (copy n)"; the original is shortened (never splitting a
 * surrogate pair) so the result stays within the 64-character limit.
 */
export function copyName(name: string, n: number): string {
  const suffix = n === 1 ? " (copy)" : ` (copy ${n})`;
  let base = name.slice(0, NAME_MAX - suffix.length);
  if (/[\uD800-\uDBFF]$/.test(base)) base = base.slice(0, -1);
  return `${base.trimEnd()}${suffix}`;
}

function nameTaken(name: string) {
  return conflict("NAME_TAKEN", `a task named ${JSON.stringify(name)} already exists`, "name");
}

export class TaskRepository {
  constructor(private readonly db: Db) {}

  async get(id: number): Promise<TaskRow> {
    const row = await this.db.task.findUnique({ where: { id } });
    if (!row) throw notFound("task", id);
    return row;
  }

  async create(data: TaskWrite): Promise<TaskRow> {
    try {
      return await this.db.task.create({ data });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(data.name);
      throw err;
    }
  }

  async update(id: number, data: Partial<TaskWrite>): Promise<TaskRow> {
    try {
      return await this.db.task.update({ where: { id }, data });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(String(data.name));
      if ((err as { code?: string }).code === "P2025") throw notFound("task", id);
      throw err;
    }
  }

  /**
   * A copy of a stored task under the first free name "<name> (copy)", "<name> (copy 2)", …,
   * created disabled so it never fires by surprise. Secrets and credential headers are copied from
   * the row, so they never pass through a client.
   */
  async copy(source: TaskRow): Promise<TaskRow> {
    const { id, createdAt, updatedAt, ...fields } = source;
    // A concurrent copy may take the name between the look-up and the insert: look again.
    for (let attempt = 0; ; attempt++) {
      const name = await this.#freeCopyName(source.name);
      try {
        return await this.db.task.create({ data: { ...fields, name, nameKey: taskNameKey(name), enabled: false } });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (attempt >= 4) throw nameTaken(name);
      }
    }
  }

  /** The first copy name not taken (ignoring ASCII case), looked up 50 candidates at a time. */
  async #freeCopyName(original: string): Promise<string> {
    for (let first = 1; ; first += 50) {
      const names = Array.from({ length: 50 }, (_, i) => copyName(original, first + i));
      const taken = await this.db.task.findMany({
        where: { nameKey: { in: names.map(taskNameKey) } },
        select: { nameKey: true },
      });
      const keys = new Set(taken.map((t) => t.nameKey));
      const free = names.find((name) => !keys.has(taskNameKey(name)));
      if (free !== undefined) return free;
    }
  }

  /** Deletes the task; its runs go with it (ON DELETE CASCADE), as documented in the README. */
  async delete(id: number): Promise<void> {
    const { count } = await this.db.task.deleteMany({ where: { id } });
    if (count === 0) throw notFound("task", id);
  }

  /**
   * Last result (newest attempt) of each of the given tasks. SKIPPED runs are not results: a
   * run-now refused under FORBID must not hide the outcome of the run that was under way.
   */
  async lastRuns(taskIds: number[]): Promise<Map<number, LastRun>> {
    if (taskIds.length === 0) return new Map();
    const newest = await this.db.run.groupBy({
      by: ["taskId"],
      where: { taskId: { in: taskIds }, status: { not: "SKIPPED" } },
      _max: { id: true },
    });
    const ids = newest.map((g) => g._max.id).filter((id): id is number => id !== null);
    const runs = await this.db.run.findMany({
      where: { id: { in: ids } },
      select: { id: true, taskId: true, status: true, finishedAt: true },
    });
    return new Map(
      runs.map((r) => [
        r.taskId,
        { id: r.id, status: r.status as RunStatus, finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null },
      ]),
    );
  }

  async list(query: TaskListQuery, nextRunAt: NextRunAt) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const where: Prisma.TaskWhereInput = {};
    // By the unique key, so search and sort treat ASCII case alike and all else as written, on both databases.
    if (query.q) where.nameKey = { contains: taskNameKey(query.q.trim()) };
    if (query.mode) where.mode = query.mode;
    if (query.enabled !== undefined) where.enabled = query.enabled;
    const sort = query.sort ?? "id";
    const order = query.order ?? (sort === "name" || sort === "nextRunAt" ? "asc" : "desc");

    let rows: TaskRow[];
    let total: number;
    if (sort === "nextRunAt" || sort === "lastStatus") {
      // Neither is a column: next fire is computed, last status lives in runs. Sort the filtered
      // set in memory (fine for thousands of tasks; see docs/architecture.md for the trade-off).
      const all = await this.db.task.findMany({ where });
      total = all.length;
      const key =
        sort === "nextRunAt"
          ? new Map(all.map((row) => [row.id, row.enabled ? (nextRunAt(row)?.getTime() ?? Infinity) : Infinity]))
          : await this.lastRuns(all.map((row) => row.id)).then(
              (last) => new Map(all.map((row) => [row.id, last.get(row.id)?.status ?? "~"])),
            );
      const dir = order === "asc" ? 1 : -1;
      all.sort((a, b) => {
        const ka = key.get(a.id) as number | string;
        const kb = key.get(b.id) as number | string;
        return (ka < kb ? -1 : ka > kb ? 1 : b.id - a.id) * dir;
      });
      rows = all.slice((page - 1) * pageSize, page * pageSize);
    } else {
      [rows, total] = await Promise.all([
        this.db.task.findMany({
          where,
          orderBy: sort === "id" ? { id: order } : [{ [sort === "name" ? "nameKey" : sort]: order }, { id: "desc" }],
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
        this.db.task.count({ where }),
      ]);
    }
    const last = await this.lastRuns(rows.map((row) => row.id));
    const items: TaskWithLastRun[] = rows.map((row) => ({
      ...toApiTask(row, nextRunAt),
      lastRun: last.get(row.id) ?? null,
    }));
    return { items, total, page, pageSize };
  }
}

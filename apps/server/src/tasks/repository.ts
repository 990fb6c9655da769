import { nextRun, type RunStatus, type TaskDependencyRef, tagKey } from "@crondeck/core";
import {
  type Db,
  escapeLike,
  isUniqueViolation,
  type Provider,
  type TaskRow,
  taskNameKey,
  taskSearchText,
} from "@crondeck/db";
import { conflict, notFound } from "../lib/errors.ts";
import type { Task, TaskListQuery } from "../routes/api/tasks/schema.ts";
import { checkDependsOn, dependsOnOf, replaceDependsOn } from "./dependencies.ts";
import type { TaskModules } from "./modules.ts";
import type { TaskWrite } from "./normalize.ts";
import {
  readSnapshot,
  recordFirstVersion,
  recordVersion,
  rowAt,
  sameSnapshot,
  snapshotOf,
  type TaskVersions,
  type VersionBy,
} from "./versions.ts";

/** A stored task with its upstream tasks (read from TaskDependency) when the reader loaded them. */
export type TaskRecord = TaskRow & { dependsOn?: TaskDependencyRef[] };

/** Where a task's next fire time comes from: the scheduler when it runs here, else croner directly. */
export type NextRunAt = (row: TaskRow) => Date | null;

export interface LastRun {
  id: number;
  status: RunStatus;
  finishedAt: string | null;
}

export type TaskWithLastRun = Task & { lastRun: LastRun | null };

export function toApiTask(modules: TaskModules, row: TaskRecord, nextRunAt: NextRunAt): Task {
  const next = row.enabled ? nextRunAt(row) : null;
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    cron: row.cron,
    timezone: row.timezone,
    executorGroup: row.executorGroup,
    timeoutSeconds: row.timeoutSeconds,
    retryCount: row.retryCount,
    retryIntervalSeconds: row.retryIntervalSeconds,
    concurrencyPolicy: row.concurrencyPolicy as Task["concurrencyPolicy"],
    misfirePolicy: row.misfirePolicy as Task["misfirePolicy"],
    misfireGraceSeconds: row.misfireGraceSeconds,
    notifyPolicy: row.notifyPolicy as Task["notifyPolicy"],
    notifyChannel: row.notifyChannel,
    notifyKeywords: JSON.parse(row.notifyKeywords) as string[],
    notifyLanguage: row.notifyLanguage as Task["notifyLanguage"],
    env: JSON.parse(row.env) as Record<string, string>,
    enabled: row.enabled,
    remark: row.remark,
    owner: row.owner,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    nextRunAt: next ? next.toISOString() : null,
    dependsOn: row.dependsOn ?? [],
    dependsOnAll: row.dependsOnAll,
    // The fields of its mode and channels, secrets masked or hidden as their modules declare.
    ...modules.view(row),
  } as Task;
}

/** The task's last result as kept on it: its newest attempt that ended other than SKIPPED. */
function lastRunOf(row: TaskRow): LastRun | null {
  if (row.lastRunId === null || row.lastRunStatus === null) return null;
  return {
    id: row.lastRunId,
    status: row.lastRunStatus as RunStatus,
    finishedAt: row.lastRunFinishedAt ? row.lastRunFinishedAt.toISOString() : null,
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

/** The next-run sort key of a task that will not fire (disabled, or no future slot): 9999-12-31. */
export const NEVER_MS = Date.UTC(9999, 11, 31);

/** The task list's next-run sort key: the next fire after `now` in ms, NEVER_MS when there is none. */
export function nextRunKey(task: Pick<TaskRow, "enabled" | "cron" | "timezone">, now = new Date()): number {
  if (!task.enabled) return NEVER_MS;
  try {
    return nextRun(task.cron, task.timezone, now)?.getTime() ?? NEVER_MS;
  } catch {
    return NEVER_MS;
  }
}

/** The columns the task list searches and sorts by, derived from the rest of the task. */
function listColumns(
  task: Pick<TaskWrite, "name" | "modeText" | "remark" | "owner" | "tags" | "enabled" | "cron" | "timezone">,
): Pick<TaskRow, "searchText"> & { nextRunAtMs: number } {
  const tags = JSON.parse(task.tags) as string[];
  return { searchText: taskSearchText({ ...task, tags }), nextRunAtMs: nextRunKey(task) };
}

/** The TaskTag rows of a task's tags (its `tags` column, JSON), written in the same statement as the task. */
function tagRows(tags: string) {
  return (JSON.parse(tags) as string[]).map((tag) => ({ tag, tagKey: tagKey(tag) }));
}

export interface TagCount {
  tag: string;
  count: number;
}

/** How many due next-run keys one refresh step reads and writes. */
const REFRESH_BATCH = 500;

/** A task whose next-run key is due for recomputing, as plain SQL returns it on either database. */
interface DueRow {
  id: number | bigint;
  enabled: number | boolean;
  cron: string;
  timezone: string;
}

const SORT_COLUMN = { id: "t.`id`", name: "t.`nameKey`", createdAt: "t.`createdAt`", nextRunAt: "t.`nextRunAtMs`" };

function nameTaken(name: string) {
  return conflict("NAME_TAKEN", `a task named ${JSON.stringify(name)} already exists`, "name");
}

export class TaskRepository {
  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
    private readonly modules: TaskModules,
  ) {}

  /** The task with its upstream tasks. */
  async get(id: number): Promise<TaskRecord> {
    const row = await this.db.task.findUnique({ where: { id } });
    if (!row) throw notFound("task", id);
    return { ...row, dependsOn: (await dependsOnOf(this.db, [id])).get(id) ?? [] };
  }

  /**
   * Runs a write, its upstream tasks and the version it records in one transaction: its own, or
   * the caller's when this repository was made on a transaction's client (tasks-as-code apply),
   * which has no $transaction.
   */
  #transaction<T>(write: (db: Db) => Promise<T>): Promise<T> {
    const db = this.db as Db & { $transaction?: unknown };
    if (typeof db.$transaction !== "function") return write(this.db);
    return this.db.$transaction((tx) => write(tx as unknown as Db));
  }

  /** `by`: what the task's history records for this write (tasks/versions.ts). */
  async create({ modeText, dependsOn = [], ...data }: TaskWrite, by: VersionBy): Promise<TaskRecord> {
    await checkDependsOn(this.db, null, dependsOn);
    try {
      return await this.#transaction(async (db) => {
        const row = await db.task.create({
          data: { ...data, ...listColumns({ ...data, modeText }), tagRows: { create: tagRows(data.tags) } },
        });
        await replaceDependsOn(db, row.id, dependsOn);
        const record = { ...row, dependsOn };
        await recordFirstVersion(db, record, by);
        return record;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(data.name);
      throw err;
    }
  }

  /**
   * Changes `previous` (the stored task, as read for this edit) by `data`, and records the result
   * as the task's next version when it differs from the latest one. Its upstream tasks are replaced
   * when `data.dependsOn` is given, kept otherwise.
   */
  async update(
    previous: TaskRecord,
    { modeText, dependsOn, ...data }: Partial<TaskWrite>,
    by: VersionBy,
  ): Promise<TaskRecord> {
    const id = previous.id;
    const text = modeText ?? this.modules.modeText(previous);
    const { dependsOn: _stored, ...columns } = previous;
    if (dependsOn) await checkDependsOn(this.db, id, dependsOn);
    try {
      return await this.#transaction(async (db) => {
        const row = await db.task.update({
          where: { id },
          data: {
            ...data,
            ...listColumns({ ...columns, ...data, modeText: text }),
            // Only when the tags are part of the change (an enable/disable leaves them alone).
            ...(data.tags === undefined ? {} : { tagRows: { deleteMany: {}, create: tagRows(data.tags) } }),
          },
        });
        if (dependsOn) await replaceDependsOn(db, id, dependsOn);
        const record = { ...row, dependsOn: dependsOn ?? (await dependsOnOf(db, [id])).get(id) ?? [] };
        await recordVersion(db, this.provider, record, by, previous);
        return record;
      });
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
  async copy(source: TaskRecord, by: VersionBy): Promise<TaskRecord> {
    // A copy has no runs, so no last result; it depends on the same upstream tasks (none on it).
    const {
      dependsOn = [],
      id,
      createdAt,
      updatedAt,
      searchText,
      nextRunAtMs,
      lastRunId,
      lastRunStatus,
      lastRunFinishedAt,
      ...fields
    } = source;
    // A concurrent copy may take the name between the look-up and the insert: look again.
    for (let attempt = 0; ; attempt++) {
      const name = await this.#freeCopyName(source.name);
      try {
        const data = { ...fields, name, nameKey: taskNameKey(name), enabled: false };
        // A copy's history starts at its own version 1.
        return await this.#transaction(async (db) => {
          const row = await db.task.create({
            data: {
              ...data,
              ...listColumns({ ...data, modeText: this.modules.modeText(source) }),
              tagRows: { create: tagRows(data.tags) },
            },
          });
          await replaceDependsOn(db, row.id, dependsOn);
          const record = { ...row, dependsOn };
          await recordFirstVersion(db, record, by);
          return record;
        });
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

  /**
   * Restores the editable fields of `version` of the task as they were stored (secrets included),
   * recorded as a new version. Null when the task is already in that state: nothing is written.
   * Fields the task gained after that version keep their current values.
   */
  async revert(previous: TaskRow, versions: TaskVersions, version: number, by: VersionBy): Promise<TaskRow | null> {
    const saved = await versions.get(previous.id, version);
    const snapshot = readSnapshot(saved.snapshot, previous);
    const next = rowAt(previous, snapshot, previous.updatedAt);
    if (sameSnapshot(snapshotOf(next), snapshotOf(previous))) return null;
    const change = { ...snapshot, nameKey: taskNameKey(next.name), modeText: this.modules.modeText(next) };
    return this.update(previous, change as Partial<TaskWrite>, by);
  }

  /** Deletes the task; its runs go with it (ON DELETE CASCADE), as documented in the README. */
  async delete(id: number): Promise<void> {
    const { count } = await this.db.task.deleteMany({ where: { id } });
    if (count === 0) throw notFound("task", id);
  }

  /**
   * Recomputes the next-run keys that have passed (the task fired since) or were never computed
   * (tasks written before the column existed or by plain SQL). Found through the key's index, so
   * it costs one index probe when nothing is due; tasks sharing a schedule share one computation.
   * Plain SQL, so updatedAt (which the engine polls for edited tasks) is left alone. Concurrent
   * callers share one pass.
   */
  refreshNextRuns(): Promise<void> {
    this.#refreshing ??= this.#refreshNextRuns().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  #refreshing: Promise<void> | null = null;

  /** Resolves once no refresh of next-run keys is under way (before the database closes). */
  async refreshDone(): Promise<void> {
    await this.#refreshing?.catch(() => {});
  }

  async #refreshNextRuns(): Promise<void> {
    const now = new Date();
    const memo = new Map<string, number>();
    // In batches, yielding between them: at the top of an hour most tasks can be due at once, and
    // SQLite's calls block the event loop the scheduler fires from. Each batch leaves its rows
    // with keys after `now`, so the next one reads the rows still due; the bound is a safety net.
    for (let batch = 0; batch < 10_000; batch++) {
      const rows = await this.db.$queryRawUnsafe<DueRow[]>(
        "SELECT `id`, `enabled`, `cron`, `timezone` FROM `Task` WHERE `nextRunAtMs` IS NULL OR `nextRunAtMs` <= ? LIMIT ?",
        now.getTime(),
        REFRESH_BATCH,
      );
      if (rows.length === 0) return;
      const byKey = new Map<number, number[]>();
      for (const row of rows) {
        const task = { enabled: Boolean(row.enabled), cron: row.cron, timezone: row.timezone };
        const schedule = `${task.enabled}\n${task.cron}\n${task.timezone}`;
        const key = memo.get(schedule) ?? nextRunKey(task, now);
        memo.set(schedule, key);
        const ids = byKey.get(key) ?? [];
        ids.push(Number(row.id));
        byKey.set(key, ids);
      }
      for (const [key, ids] of byKey) {
        // Only keys still due: an edit meanwhile wrote a fresh one.
        await this.db.$executeRawUnsafe(
          `UPDATE \`Task\` SET \`nextRunAtMs\` = ? WHERE \`id\` IN (${ids.map(() => "?").join(",")}) AND (\`nextRunAtMs\` IS NULL OR \`nextRunAtMs\` <= ?)`,
          key,
          ...ids,
          now.getTime(),
        );
      }
      if (rows.length < REFRESH_BATCH) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * One page of tasks, chosen by the database: filters, search and every sort are SQL over
   * indexed columns (search scans searchText, one short column), never all tasks sorted here.
   * Backticked names and ? parameters read the same on SQLite and MySQL.
   */
  async list(query: TaskListQuery, nextRunAt: NextRunAt) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const sort = query.sort ?? "id";
    const order = query.order ?? (sort === "name" || sort === "nextRunAt" ? "asc" : "desc");
    const dir = order === "asc" ? "ASC" : "DESC";

    const where: string[] = [];
    const params: unknown[] = [];
    const q = query.q?.trim();
    if (q) {
      // % and _ match themselves: escaped with ! (a backslash means different things to the two
      // databases). On SQLite, 3 or more characters are looked up in the trigram index first
      // (Task_search, which folds more than A-Z; LIKE then decides); shorter ones scan its narrow
      // searchText index rather than whole rows.
      const needle = taskNameKey(q);
      const like = `%${escapeLike(needle)}%`;
      if (this.provider === "sqlite" && [...needle].length >= 3) {
        where.push("t.`id` IN (SELECT rowid FROM `Task_search` WHERE `Task_search` MATCH ?)");
        where.push("t.`searchText` LIKE ? ESCAPE '!'");
        params.push(`"${needle.replaceAll('"', '""')}"`, like);
      } else {
        where.push("t.`id` IN (SELECT s.`id` FROM `Task` s WHERE s.`searchText` LIKE ? ESCAPE '!')");
        params.push(like);
      }
    }
    if (query.mode) {
      where.push("t.`mode` = ?");
      params.push(query.mode);
    }
    if (query.enabled !== undefined) {
      where.push("t.`enabled` = ?");
      params.push(query.enabled ? 1 : 0);
    }
    // Every tag given (ignoring case): one probe of TaskTag's (tagKey, taskId) index each.
    for (const key of new Set((query.tag ?? []).map(tagKey).filter((key) => key !== ""))) {
      where.push("t.`id` IN (SELECT tt.`taskId` FROM `TaskTag` tt WHERE tt.`tagKey` = ?)");
      params.push(key);
    }
    const owner = query.owner?.trim();
    if (owner) {
      where.push("t.`owner` = ?");
      params.push(owner);
    }
    const whereSql = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";

    const from = "`Task` t";
    let orderBy: string;
    if (sort === "lastStatus") {
      // The last result kept on the task (see RunStore.recordLastResults), through its index.
      // Tasks without a result after all results (asc), before them (desc); not by a sentinel
      // string, which MySQL's collation would sort among the letters.
      orderBy = `CASE WHEN t.\`lastRunStatus\` IS NULL THEN 1 ELSE 0 END ${dir}, t.\`lastRunStatus\` ${dir}, t.\`id\` ${dir}`;
    } else {
      if (sort === "nextRunAt") await this.refreshNextRuns();
      const column = SORT_COLUMN[sort];
      orderBy = sort === "id" || sort === "name" ? `${column} ${dir}` : `${column} ${dir}, t.\`id\` ${dir}`;
    }
    const [picked, counted] = await Promise.all([
      this.db.$queryRawUnsafe<Array<{ id: number | bigint }>>(
        `SELECT t.\`id\` AS id FROM ${from} ${whereSql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
        ...params,
        pageSize,
        (page - 1) * pageSize,
      ),
      this.db.$queryRawUnsafe<Array<{ total: number | bigint }>>(
        `SELECT COUNT(*) AS total FROM \`Task\` t ${whereSql}`,
        ...params,
      ),
    ]);
    const ids = picked.map((row) => Number(row.id));
    const found = new Map((await this.db.task.findMany({ where: { id: { in: ids } } })).map((row) => [row.id, row]));
    const dependsOn = await dependsOnOf(this.db, ids);
    const rows = ids.flatMap((id) => {
      const row = found.get(id);
      return row ? [{ ...row, dependsOn: dependsOn.get(id) ?? [] }] : [];
    });
    const items: TaskWithLastRun[] = rows.map((row) => ({
      ...toApiTask(this.modules, row, nextRunAt),
      lastRun: lastRunOf(row),
    }));
    return { items, total: Number(counted[0]?.total ?? 0), page, pageSize };
  }

  /**
   * Every tag in use and how many tasks have it, sorted by tag (its lower-cased key, byte for byte
   * on both databases), read from TaskTag's (tagKey, taskId) index. A tag spelt differently on two
   * tasks is one tag, shown in its first spelling by byte order.
   */
  async tagCounts(): Promise<TagCount[]> {
    const rows = await this.db.$queryRawUnsafe<Array<{ tag: string; count: number | bigint }>>(
      "SELECT MIN(`tag`) AS tag, COUNT(*) AS count FROM `TaskTag` GROUP BY `tagKey` ORDER BY `tagKey`",
    );
    return rows.map((row) => ({ tag: row.tag, count: Number(row.count) }));
  }
}

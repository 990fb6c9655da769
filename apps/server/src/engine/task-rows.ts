import type { MisfirePolicy } from "@crondeck/core";
import type { Db, TaskRow } from "@crondeck/db";
import type { SchedulableTask } from "@crondeck/scheduler";

// The scheduler holds every enabled task; the engine arms each with only what deciding its slots
// needs (ArmedTask), and reads the whole row when a slot is prepared or fired, for a batch of
// tasks at once (TaskRows). At 100,000 tasks the whole rows were most of the server's memory.

/** A task as armed: its schedule, and the updatedAt that says whether a row read earlier is current. */
export interface ArmedTask extends SchedulableTask {
  updatedAtMs: number;
}

/** Tasks armed per start-up page: a few ms of the event loop each, and no full list in memory. */
const ARM_PAGE = 1_000;
/** Ids per look-up of whole rows (SQLite binds at most 32,766 parameters). */
const ROWS_PER_QUERY = 2_000;
/**
 * Rows kept after use, the most recently used: a task firing every second or minute is not read
 * again at each slot while it is unchanged. Bounded, so an hourly burst of 100,000 fires does not
 * keep 100,000 rows.
 */
const RECENT_ROWS = 2_000;

export function armedTask(row: TaskRow): ArmedTask {
  return {
    id: row.id,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    misfirePolicy: row.misfirePolicy as MisfirePolicy,
    misfireGraceSeconds: row.misfireGraceSeconds,
    createdAt: row.createdAt.getTime(),
    updatedAtMs: row.updatedAt.getTime(),
  };
}

/** The scheduling columns of a task, as plain SQL returns them on either database. */
interface ArmRow {
  id: number | bigint;
  cron: string;
  timezone: string;
  misfirePolicy: string;
  misfireGraceSeconds: number | bigint;
  createdAt: Date | string;
  updatedAt: Date | string;
}

/**
 * The enabled tasks in id order, a page at a time, with only the columns arming reads. Schedules
 * repeat across tasks: each distinct string is kept once (drivers return a copy per row).
 */
export async function* enabledTasks(db: Db): AsyncGenerator<ArmedTask[]> {
  const strings = new Map<string, string>();
  const once = (s: string) => {
    const seen = strings.get(s);
    if (seen !== undefined) return seen;
    strings.set(s, s);
    return s;
  };
  for (let after = 0; ; ) {
    // SQLite's driver answers synchronously: its promises settle as microtasks, which would arm
    // every page before the server even listens. A macrotask turn lets requests in between pages.
    await new Promise((resolve) => setImmediate(resolve));
    const rows = await db.$queryRawUnsafe<ArmRow[]>(
      "SELECT `id`, `cron`, `timezone`, `misfirePolicy`, `misfireGraceSeconds`, `createdAt`, `updatedAt` " +
        "FROM `Task` WHERE `enabled` = 1 AND `id` > ? ORDER BY `id` LIMIT ?",
      after,
      ARM_PAGE,
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      id: Number(row.id),
      cron: once(row.cron),
      timezone: once(row.timezone),
      enabled: true,
      misfirePolicy: once(row.misfirePolicy) as MisfirePolicy,
      misfireGraceSeconds: Number(row.misfireGraceSeconds),
      createdAt: new Date(row.createdAt).getTime(),
      updatedAtMs: new Date(row.updatedAt).getTime(),
    }));
    if (rows.length < ARM_PAGE) return;
    after = Number((rows[rows.length - 1] as ArmRow).id);
  }
}

/**
 * Whole task rows by id, read together: the ids asked for in one turn of the event loop (a
 * prepared batch, the fires of one instant, the misfires of a start) share one query per
 * ROWS_PER_QUERY ids. Resolves to undefined for a task deleted meanwhile. A row read recently is
 * reused while its updatedAt is the one the task was armed with.
 */
export class TaskRows {
  #waiting = new Map<number, Waiter[]>();
  readonly #recent = new Map<number, TaskRow>();

  constructor(private readonly db: Db) {}

  get(id: number, updatedAtMs?: number): Promise<TaskRow | undefined> {
    const recent = this.#recent.get(id);
    if (recent && recent.updatedAt.getTime() === updatedAtMs) {
      this.#recent.delete(id); // re-inserted: the Map's order is the order of use
      this.#recent.set(id, recent);
      return Promise.resolve(recent);
    }
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) process.nextTick(() => void this.#flush());
      const waiters = this.#waiting.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else this.#waiting.set(id, [{ resolve, reject }]);
    });
  }

  async #flush(): Promise<void> {
    const waiting = this.#waiting;
    this.#waiting = new Map();
    const ids = [...waiting.keys()];
    const parts = Array.from({ length: Math.ceil(ids.length / ROWS_PER_QUERY) }, (_, i) =>
      ids.slice(i * ROWS_PER_QUERY, (i + 1) * ROWS_PER_QUERY),
    );
    await Promise.all(
      parts.map(async (part) => {
        try {
          const rows = new Map((await this.db.task.findMany({ where: { id: { in: part } } })).map((r) => [r.id, r]));
          for (const [id, row] of rows) this.#keep(id, row);
          for (const id of part) for (const w of waiting.get(id) ?? []) w.resolve(rows.get(id));
        } catch (err) {
          for (const id of part) for (const w of waiting.get(id) ?? []) w.reject(err);
        }
      }),
    );
  }

  #keep(id: number, row: TaskRow): void {
    this.#recent.delete(id);
    this.#recent.set(id, row);
    if (this.#recent.size > RECENT_ROWS) this.#recent.delete(this.#recent.keys().next().value as number);
  }
}

interface Waiter {
  resolve: (row: TaskRow | undefined) => void;
  reject: (err: unknown) => void;
}

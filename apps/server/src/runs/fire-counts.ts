import { RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { Db } from "@crondeck/db";

export const HOUR = 3_600_000;

export type Counts = Record<RunStatus, number>;

/**
 * Writes land in a transaction a moment after the instant they stamp in updatedAt, and instances'
 * clocks differ a little: changes are looked for this far before the last look.
 */
const CHANGE_MARGIN_MS = 5_000;
/**
 * A cached hour is recounted at least this often even when nothing in it changed that updatedAt
 * shows: runs deleted by another instance (its cleanup, a deleted task's cascade) leave no trace.
 */
const RECOUNT_MS = 5 * 60_000;

/** "No end": the last instant both databases store (9999-12-31). */
const MAX_TIME = Date.UTC(9999, 11, 31);

const MINUTE = 60_000;

/** Buckets not read for this long are dropped (the dashboard reads 7 days). */
const KEEP_MS = 2 * RECOUNT_MS;

/** Scheduled times (to the minute) of runs deleted through deleteRuns, per database handle. */
const deletedAt = new WeakMap<Db, Set<number>>();

/** Called by whatever deletes runs in this process, with their scheduled times. */
export function noteRunsDeleted(db: Db, scheduledAt: Date[]): void {
  const times = deletedAt.get(db) ?? new Set<number>();
  deletedAt.set(db, times);
  for (const at of scheduledAt) times.add(Math.floor(at.getTime() / MINUTE) * MINUTE);
}

const zero = (): Counts => Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Counts;

/**
 * Fire counts by the status of their latest attempt (a retried fire counts once), by scheduled
 * time, for the dashboard. Time is counted in buckets that are kept: whole hours for the past,
 * minutes for the last two hours (where runs change all the time). A request reads the few rows
 * written since the last one through Run(updatedAt, scheduledAt) to learn which buckets changed
 * (every write to a run stamps updatedAt; a run's scheduledAt, its bucket, is never rewritten),
 * recounts only those, and adds the kept buckets up. So /api/stats costs a handful of index reads
 * however many runs there are, and stays exact: a bucket is never served once a change to it is
 * visible.
 */
export class FireCounts {
  readonly #buckets = new Map<string, { counts: Promise<Counts>; at: number }>();
  #checkedAt: number | null = null;
  #checking: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /**
   * Looks for changes once, then answers counts of the fires scheduled in [from, to) from the kept
   * buckets (any instants: the parts of minutes at either end are counted live).
   */
  async view(now = Date.now()): Promise<(from: number, to: number) => Promise<Counts>> {
    await this.#forgetChanged(now);
    // Hours before this are kept whole; from here on, minutes.
    const live = Math.floor(now / HOUR) * HOUR - HOUR;
    return async (from, to) => {
      const parts: Array<Promise<Counts>> = [];
      for (let t = from; t < to; ) {
        if (t % HOUR === 0 && t + HOUR <= Math.min(to, live)) {
          parts.push(this.#bucket(t, HOUR, now));
          t += HOUR;
          continue;
        }
        const end = Math.min(to, Math.floor(t / MINUTE) * MINUTE + MINUTE);
        parts.push(t % MINUTE === 0 && end - t === MINUTE ? this.#bucket(t, MINUTE, now) : countRange(this.db, t, end));
        t = end;
      }
      return sumCounts(await Promise.all(parts));
    };
  }

  /** Counts of the fires scheduled in [from, to) (any instants; `to` may be +Infinity), counted now. */
  range(from: number, to: number): Promise<Counts> {
    return countRange(this.db, from, to);
  }

  #bucket(start: number, size: number, now: number): Promise<Counts> {
    const key = `${size}:${start}`;
    const kept = this.#buckets.get(key);
    if (kept && now - kept.at < RECOUNT_MS) return kept.counts;
    const counts = countRange(this.db, start, start + size);
    const entry = { counts, at: now };
    this.#buckets.set(key, entry);
    counts.catch(() => {
      if (this.#buckets.get(key) === entry) this.#buckets.delete(key);
    });
    return counts;
  }

  /** Drops the buckets that runs written or deleted since the last look belong to. */
  #forget(at: number): void {
    this.#buckets.delete(`${HOUR}:${Math.floor(at / HOUR) * HOUR}`);
    this.#buckets.delete(`${MINUTE}:${Math.floor(at / MINUTE) * MINUTE}`);
  }

  #forgetChanged(now: number): Promise<void> {
    this.#checking ??= this.#lookForChanges(now).finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #lookForChanges(now: number): Promise<void> {
    for (const [key, entry] of this.#buckets) if (now - entry.at > KEEP_MS) this.#buckets.delete(key);
    const deleted = deletedAt.get(this.db);
    if (deleted) {
      for (const at of deleted) this.#forget(at);
      deleted.clear();
    }
    if (this.#checkedAt === null) {
      this.#checkedAt = now;
      return;
    }
    const since = new Date(this.#checkedAt - CHANGE_MARGIN_MS);
    this.#checkedAt = now;
    const changed = await this.db.run.findMany({
      where: { updatedAt: { gte: since } },
      select: { scheduledAt: true },
      distinct: ["scheduledAt"],
    });
    for (const row of changed) this.#forget(row.scheduledAt.getTime());
  }
}

/**
 * Runs by status scheduled in [from, to), less the attempts a retry of their fire replaced: all
 * attempts of a fire share its scheduled time, so the retried fires of the range are found by
 * the retries in it (Run(scheduledAt, status) then the retries' own rows).
 */
async function countRange(db: Db, from: number, to: number): Promise<Counts> {
  // Always bounded: SQLite's planner walks the status index for a range open at one end.
  const scheduledAt = { gte: new Date(from), lt: new Date(Math.min(to, MAX_TIME)) };
  const [groups, retries] = await Promise.all([
    db.run.groupBy({ by: ["status"], where: { scheduledAt }, _count: { _all: true } }),
    db.run.findMany({
      where: { scheduledAt, rootRunId: { not: null } },
      select: { id: true, rootRunId: true, attempt: true, status: true },
    }),
  ]);
  const counts = zero();
  for (const g of groups) counts[g.status as RunStatus] = g._count._all;
  if (retries.length === 0) return counts;
  const roots = [...new Set(retries.map((r) => r.rootRunId as number))];
  const firsts = await db.run.findMany({
    where: { id: { in: roots } },
    select: { id: true, rootRunId: true, attempt: true, status: true },
  });
  const attempts = [...firsts, ...retries];
  const latest = new Map<number, number>();
  for (const a of attempts) {
    const root = a.rootRunId ?? a.id;
    latest.set(root, Math.max(latest.get(root) ?? 0, a.attempt));
  }
  for (const a of attempts) if (a.attempt < (latest.get(a.rootRunId ?? a.id) ?? 0)) counts[a.status as RunStatus] -= 1;
  return counts;
}

/** Adds counts up. */
export function sumCounts(parts: Iterable<Counts>): Counts {
  const total = zero();
  for (const part of parts) for (const s of RUN_STATUSES) total[s] += part[s];
  return total;
}

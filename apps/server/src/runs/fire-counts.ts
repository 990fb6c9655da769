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
const RECOUNT_MS = 60_000;

/** "No end": the last instant both databases store (9999-12-31). */
const MAX_TIME = Date.UTC(9999, 11, 31);

/** Kept hours older than this are dropped (the dashboard shows 7 days). */
const KEEP_HOURS_MS = 8 * 24 * HOUR;

/** Hours of scheduled time whose runs were deleted through deleteRuns, per database handle. */
const deletedHours = new WeakMap<Db, Set<number>>();

/** Called by whatever deletes runs in this process, with their scheduled times. */
export function noteRunsDeleted(db: Db, scheduledAt: Date[]): void {
  const hours = deletedHours.get(db) ?? new Set<number>();
  deletedHours.set(db, hours);
  for (const at of scheduledAt) hours.add(Math.floor(at.getTime() / HOUR) * HOUR);
}

const zero = (): Counts => Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Counts;

/**
 * Fire counts by the status of their latest attempt (a retried fire counts once), by scheduled
 * time, for the dashboard. Whole hours are counted once and kept: a request reads the few rows
 * written since the last one through Run(updatedAt, scheduledAt) to learn which hours changed
 * (every write to a run stamps updatedAt; a run's scheduledAt, its hour, is never rewritten),
 * recounts only those, and adds the kept hours up. So
 * /api/stats costs a handful of index reads however many runs there are, and stays exact: an
 * hour is never served once a change to it is visible.
 */
export class FireCounts {
  readonly #hours = new Map<number, { counts: Promise<Counts>; at: number }>();
  #checkedAt: number | null = null;
  #checking: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** Counts of the fires scheduled in [from, to), where from and to are whole hours. */
  async hours(from: number, to: number, now = Date.now()): Promise<Map<number, Counts>> {
    await this.#forgetChanged(now);
    const out = new Map<number, Counts>();
    const hours: number[] = [];
    for (let h = from; h < to; h += HOUR) hours.push(h);
    const counted = await Promise.all(hours.map((h) => this.#hour(h, now)));
    for (const [i, h] of hours.entries()) out.set(h, counted[i] as Counts);
    return out;
  }

  /** Counts of the fires scheduled in [from, to) (any instants; `to` may be +Infinity), counted now. */
  range(from: number, to: number): Promise<Counts> {
    return countRange(this.db, from, to);
  }

  #hour(h: number, now: number): Promise<Counts> {
    const kept = this.#hours.get(h);
    if (kept && now - kept.at < RECOUNT_MS) return kept.counts;
    const counts = countRange(this.db, h, h + HOUR);
    const entry = { counts, at: now };
    this.#hours.set(h, entry);
    counts.catch(() => {
      if (this.#hours.get(h) === entry) this.#hours.delete(h);
    });
    return counts;
  }

  /** Drops the kept hours that runs written or deleted since the last look belong to. */
  #forgetChanged(now: number): Promise<void> {
    this.#checking ??= this.#lookForChanges(now).finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #lookForChanges(now: number): Promise<void> {
    for (const h of this.#hours.keys()) if (h < now - KEEP_HOURS_MS) this.#hours.delete(h);
    const deleted = deletedHours.get(this.db);
    if (deleted) {
      for (const h of deleted) this.#hours.delete(h);
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
    for (const row of changed) this.#hours.delete(Math.floor(row.scheduledAt.getTime() / HOUR) * HOUR);
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

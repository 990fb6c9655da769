import type { Db } from "@crondeck/db";
import { type Summary, summarize } from "./stats.ts";

/** What the Run table says about the scheduled slots of a window [from, to). */
export interface FireFigures {
  tasks: number;
  slotsPerTask: number;
  expected: number;
  /** Distinct (task, slot) pairs with a first-attempt record. */
  recorded: number;
  missed: number;
  /** First-attempt records beyond one per (task, slot); the unique key should make this 0. */
  duplicates: number;
  byStatus: Record<string, number>;
  /** startedAt − scheduledAt of the runs that started (SKIPPED runs never start). */
  lateness: Summary;
  /** createdAt − scheduledAt of every record: when the slot was claimed, SKIPPED included. */
  claimLag: Summary;
  /** updatedAt − finishedAt of finished runs: how long the end took to be written. */
  recordLag: Summary;
  durationMs: Summary;
  /** The slot with the most missing records, and how many it missed. */
  worstSlot: { at: string; missed: number } | null;
}

export async function fireFigures(db: Db, taskIds: number[], from: number, to: number): Promise<FireFigures> {
  const rows = await db.run.findMany({
    where: { trigger: "SCHEDULE", attempt: 1, scheduledAt: { gte: new Date(from), lt: new Date(to) } },
    select: {
      taskId: true,
      scheduledAt: true,
      status: true,
      startedAt: true,
      finishedAt: true,
      durationMs: true,
      createdAt: true,
      updatedAt: true,
    },
  });
  const watched = new Set(taskIds);
  const seen = new Set<string>();
  const perSlot = new Map<number, number>();
  const byStatus: Record<string, number> = {};
  const lateness: number[] = [];
  const claimLag: number[] = [];
  const recordLag: number[] = [];
  const durations: number[] = [];
  let duplicates = 0;
  for (const row of rows) {
    if (!watched.has(row.taskId)) continue;
    const at = row.scheduledAt.getTime();
    const key = `${row.taskId}:${at}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    perSlot.set(at, (perSlot.get(at) ?? 0) + 1);
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    claimLag.push(row.createdAt.getTime() - at);
    if (row.status !== "SKIPPED" && row.startedAt) lateness.push(row.startedAt.getTime() - at);
    if (row.finishedAt && row.status !== "SKIPPED") recordLag.push(row.updatedAt.getTime() - row.finishedAt.getTime());
    if (row.durationMs !== null && row.status !== "SKIPPED") durations.push(row.durationMs);
  }
  const slotsPerTask = Math.round((to - from) / 1000);
  let worstSlot: FireFigures["worstSlot"] = null;
  for (let at = from; at < to; at += 1000) {
    const missed = taskIds.length - (perSlot.get(at) ?? 0);
    if (missed > 0 && (!worstSlot || missed > worstSlot.missed)) worstSlot = { at: new Date(at).toISOString(), missed };
  }
  const expected = taskIds.length * slotsPerTask;
  return {
    tasks: taskIds.length,
    slotsPerTask,
    expected,
    recorded: seen.size,
    missed: expected - seen.size,
    duplicates,
    byStatus,
    lateness: summarize(lateness),
    claimLag: summarize(claimLag),
    recordLag: summarize(recordLag),
    durationMs: summarize(durations),
    worstSlot,
  };
}

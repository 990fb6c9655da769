import type { Db } from "@crondeck/db";
import { NEVER_MS } from "../tasks/repository.ts";

/** Ids per UPDATE: short statements, so a run's insert waits little for the rows they hold. */
const IDS_PER_UPDATE = 500;

/**
 * Keeps the task list's next-run sort key (Task.nextRunAtMs) right as slots pass: the instance
 * that took a slot notes the task's next one (the latest per task), and flush() writes what was
 * noted since, one UPDATE per (slot passed, next slot) pair. Tasks of one schedule fire together,
 * so 1,000 tasks firing every second cost one statement per flush, not 1,000 a second.
 *
 * A key is only moved on from the slot that passed (or a missing one): a task edited meanwhile was
 * written with its new key by the API, and keeps it. Plain SQL, so updatedAt (which instances poll
 * for edits) is left alone.
 */
export class NextRunKeys {
  /** The latest slot each task passed, and its next. */
  #noted = new Map<number, { passed: number; next: number }>();
  #flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** `taskId`'s slot at `passed` was taken here; its next one is `next` (null: none). */
  passed(taskId: number, passed: number, next: number | null): void {
    const noted = this.#noted.get(taskId);
    if (!noted || noted.passed < passed) this.#noted.set(taskId, { passed, next: next ?? NEVER_MS });
  }

  get size(): number {
    return this.#noted.size;
  }

  /** Writes what was noted; a failed write is noted again for the next flush. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const byPair = new Map<string, { passed: number; next: number; ids: number[] }>();
    for (const [id, { passed, next }] of this.#noted) {
      const key = `${passed}:${next}`;
      const group = byPair.get(key);
      if (group) group.ids.push(id);
      else byPair.set(key, { passed, next, ids: [id] });
    }
    this.#noted = new Map();
    const groups = [...byPair.values()];
    for (const [i, { passed, next, ids }] of groups.entries()) {
      try {
        for (let from = 0; from < ids.length; from += IDS_PER_UPDATE) {
          const part = ids.slice(from, from + IDS_PER_UPDATE);
          await this.db.$executeRawUnsafe(
            `UPDATE \`Task\` SET \`nextRunAtMs\` = ? WHERE \`id\` IN (${part.map(() => "?").join(",")}) AND (\`nextRunAtMs\` IS NULL OR \`nextRunAtMs\` <= ?)`,
            next,
            ...part,
            passed,
          );
        }
      } catch (err) {
        // Whole groups again (an UPDATE repeated is harmless); the ones not tried yet too.
        for (const group of groups.slice(i)) for (const id of group.ids) this.passed(id, group.passed, group.next);
        throw err;
      }
    }
  }
}

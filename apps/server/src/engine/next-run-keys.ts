import type { Db } from "@crondeck/db";
import { NEVER_MS } from "../tasks/repository.ts";

/** Ids per UPDATE (SQLite binds at most 32,766 parameters). */
const IDS_PER_UPDATE = 2_000;

/**
 * Keeps the task list's next-run sort key (Task.nextRunAtMs) right as slots pass: the instance
 * that took a slot notes the task's next one, and flush() writes what was noted since, one UPDATE
 * per (slot passed, next slot) pair. Tasks of one schedule fire together, so 1,000 tasks firing
 * every second cost one statement a second, not 1,000.
 *
 * A key is only moved on from the slot that passed (or a missing one): a task edited meanwhile was
 * written with its new key by the API, and keeps it. Plain SQL, so updatedAt (which instances poll
 * for edits) is left alone.
 */
export class NextRunKeys {
  #noted = new Map<string, { passed: number; next: number; ids: number[] }>();
  #flushing: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** `taskId`'s slot at `passed` was taken here; its next one is `next` (null: none). */
  passed(taskId: number, passed: number, next: number | null): void {
    const nextMs = next ?? NEVER_MS;
    const key = `${passed}:${nextMs}`;
    const group = this.#noted.get(key);
    if (group) group.ids.push(taskId);
    else this.#noted.set(key, { passed, next: nextMs, ids: [taskId] });
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
    const groups = [...this.#noted.values()];
    this.#noted = new Map();
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

import { openDatabase, type Prisma, taskNameKey, taskSearchText } from "@crondeck/db";

export type TaskInput = Prisma.TaskCreateManyInput;

/** A task row as the API would store it, with the given changes (lists and settings as JSON text). */
export function taskRow(name: string, changes: Partial<TaskInput> = {}): TaskInput {
  const row = {
    name,
    nameKey: taskNameKey(name),
    mode: "SHELL",
    modeSettings: JSON.stringify({ command: "true" }),
    cron: "* * * * * *",
    timezone: "UTC",
    notifySettings: "{}",
    env: "{}",
    notifyKeywords: "[]",
    remark: "",
    ...changes,
  };
  // SHELL's and HTTP's searchable text is their command (a URL for HTTP).
  const modeText = String((JSON.parse(row.modeSettings) as { command?: string }).command ?? "");
  const tags = row.tags === undefined ? [] : (JSON.parse(row.tags) as string[]);
  const text = taskSearchText({ name: row.name, modeText, remark: row.remark, owner: row.owner, tags });
  return { ...row, searchText: changes.searchText ?? text };
}

/** The stored settings of an HTTP GET task. */
export function httpGetSettings(url: string): string {
  return JSON.stringify({ command: url, httpMethod: "GET", httpHeaders: {}, httpBody: null });
}

/**
 * Inserts `count` tasks with createMany in batches, migrating the database first (as the app would).
 * Returns the time the inserts took.
 */
export async function seedTasks(
  url: string,
  count: number,
  make: (index: number) => TaskInput,
  batchSize = 1000,
): Promise<{ ms: number }> {
  const database = await openDatabase(url);
  try {
    const t0 = performance.now();
    for (let from = 0; from < count; from += batchSize) {
      const data = Array.from({ length: Math.min(batchSize, count - from) }, (_, i) => make(from + i));
      await database.db.task.createMany({ data });
    }
    return { ms: performance.now() - t0 };
  } finally {
    await database.close();
  }
}

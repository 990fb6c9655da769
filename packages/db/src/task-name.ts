/**
 * What makes task names unique (stored in Task.nameKey): the name with ASCII letters lower-cased
 * and nothing else changed, so "Backup" and "backup" collide while "Café" and "cafe", "ß" and "ss",
 * or two different emoji do not — on either database.
 */
export function taskNameKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * What the task list's search matches (stored in Task.searchText): name, the text its mode says
 * users search for (a command, a URL) and remark, one per line, then the owner and the tags (space
 * separated) when it has them, with ASCII letters lower-cased as in taskNameKey, so a search folds
 * ASCII case and nothing else, on either database. A task without owner and tags keeps the three
 * lines it had before they existed, so no stored search text needed rewriting.
 */
export function taskSearchText(task: {
  name: string;
  modeText: string;
  remark: string;
  owner?: string;
  tags?: readonly string[];
}): string {
  const extra = task.owner || task.tags?.length ? `\n${task.owner ?? ""}\n${(task.tags ?? []).join(" ")}` : "";
  return taskNameKey(`${task.name}\n${task.modeText}\n${task.remark}${extra}`);
}

/**
 * `text` as a LIKE pattern that matches it literally, for `LIKE … ESCAPE '!'`: % _ and ! escaped
 * with !. Not a backslash: a SQL string '\\' is one character to MySQL and two to SQLite.
 */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}

import type { TaskWarning } from "@crondeck/api-client";

// "Saved" after the form navigates to the task's page: the form page records which task it just
// saved, the task page shows the confirmation once (a reload or a later visit does not repeat it).

interface Saved {
  created: boolean;
  /** What the server warned of when saving it (it was saved all the same). */
  warnings: TaskWarning[];
}

let justSaved: ({ taskId: number } & Saved) | null = null;

export function markSaved(taskId: number, created: boolean, warnings: TaskWarning[] = []): void {
  justSaved = { taskId, created, warnings };
}

/** Whether `taskId` was just saved (and how); consumes the mark. */
export function takeSaved(taskId: number): Saved | null {
  if (justSaved?.taskId !== taskId) return null;
  const { created, warnings } = justSaved;
  justSaved = null;
  return { created, warnings };
}

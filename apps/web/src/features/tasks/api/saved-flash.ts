// "Saved" after the form navigates to the task's page: the form page records which task it just
// saved, the task page shows the confirmation once (a reload or a later visit does not repeat it).

let justSaved: { taskId: number; created: boolean } | null = null;

export function markSaved(taskId: number, created: boolean): void {
  justSaved = { taskId, created };
}

/** Whether `taskId` was just saved (and how); consumes the mark. */
export function takeSaved(taskId: number): { created: boolean } | null {
  if (justSaved?.taskId !== taskId) return null;
  const { created } = justSaved;
  justSaved = null;
  return { created };
}

/**
 * What makes task names unique (stored in Task.nameKey): the name with ASCII letters lower-cased
 * and nothing else changed, so "Backup" and "backup" collide while "Café" and "cafe", "ß" and "ss",
 * or two different emoji do not — on either database.
 */
export function taskNameKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

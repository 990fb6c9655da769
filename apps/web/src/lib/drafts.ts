// Unsaved form input kept in this tab's sessionStorage, so a session that ends while a form is
// being filled in (the sign-in page replaces the app) does not lose what was typed. A draft
// belongs to the user who typed it and is read back only for them; signing out removes all.

const PREFIX = "crondeck.draft:";

interface Stored<T> {
  owner: number;
  values: T;
}

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // blocked storage: forms still work, they just cannot be restored
  }
}

export function saveDraft<T>(key: string, owner: number, values: T): void {
  try {
    storage()?.setItem(PREFIX + key, JSON.stringify({ owner, values } satisfies Stored<T>));
  } catch {
    // Quota or privacy mode: not restoring is acceptable.
  }
}

export function readDraft<T>(key: string, owner: number): T | null {
  const text = storage()?.getItem(PREFIX + key);
  if (!text) return null;
  try {
    const stored = JSON.parse(text) as Stored<T>;
    return stored.owner === owner ? stored.values : null;
  } catch {
    return null;
  }
}

export function clearDraft(key: string): void {
  storage()?.removeItem(PREFIX + key);
}

export function clearAllDrafts(): void {
  const store = storage();
  if (!store) return;
  for (const key of Object.keys(store)) if (key.startsWith(PREFIX)) store.removeItem(key);
}

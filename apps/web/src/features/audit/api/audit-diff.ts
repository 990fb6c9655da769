/** One line of a before/after comparison, as plain text. */
export interface DiffLine {
  kind: "removed" | "added";
  text: string;
}

export interface AuditDiff {
  lines: DiffLine[];
  /** Fields present on both sides with the same value (not listed). */
  unchanged: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function parse(text: string | null): { ok: true; value: Json } | { ok: false; text: string } | null {
  if (text === null || text === "") return null;
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false, text };
  }
}

const isRecord = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * What an audited change changed, field by field: `- field: old` then `+ field: new` for each
 * field that differs, values as JSON. Entries that are not JSON objects are compared whole. The
 * result is text to be rendered as text; nothing in it is ever markup.
 */
export function auditDiff(beforeText: string | null, afterText: string | null): AuditDiff {
  const before = parse(beforeText);
  const after = parse(afterText);
  const bothRecords =
    (before === null || (before.ok && isRecord(before.value))) &&
    (after === null || (after.ok && isRecord(after.value)));
  if (!bothRecords) {
    const lines: DiffLine[] = [];
    const whole = (side: typeof before, kind: DiffLine["kind"]) => {
      if (side === null) return;
      const text = side.ok ? JSON.stringify(side.value, null, 2) : side.text;
      for (const line of text.split("\n")) lines.push({ kind, text: `${kind === "removed" ? "-" : "+"} ${line}` });
    };
    whole(before, "removed");
    whole(after, "added");
    return { lines, unchanged: 0 };
  }
  const b = before?.ok && isRecord(before.value) ? before.value : {};
  const a = after?.ok && isRecord(after.value) ? after.value : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const lines: DiffLine[] = [];
  let unchanged = 0;
  for (const key of keys) {
    const had = Object.hasOwn(b, key);
    const has = Object.hasOwn(a, key);
    const old = JSON.stringify(b[key]);
    const now = JSON.stringify(a[key]);
    if (had && has && old === now) {
      unchanged++;
      continue;
    }
    if (had) lines.push({ kind: "removed", text: `- ${key}: ${old}` });
    if (has) lines.push({ kind: "added", text: `+ ${key}: ${now}` });
  }
  return { lines, unchanged };
}

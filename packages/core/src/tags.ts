import type { Fail } from "./field-errors.ts";

// Task tags (and owner): the rules the API enforces and the dashboard's tag input checks as you
// type, in one place.

/** How many tags a task may have, and how long one may be (in characters, not UTF-16 units). */
export const TAG_MAX_ITEMS = 20;
export const TAG_MAX_LENGTH = 32;
export const OWNER_MAX_LENGTH = 64;

/**
 * What a tag may hold: letters of any script (Chinese included) with their combining marks, digits,
 * and `_ . : / -`. No spaces or commas, so tags read and type as one word each ("team:ops", "db/backup").
 */
export const TAG_PATTERN = /^[\p{L}\p{M}\p{Nd}_.:/-]+$/u;

/** What makes two tags the same tag: its lower-cased form ("Prod" and "prod" are one tag). */
export function tagKey(tag: string): string {
  return tag.trim().toLowerCase();
}

/** Why a single tag (already trimmed) is refused, or null when it is fine. */
export function tagProblem(tag: string): { message: string; code: "MIN_LENGTH" | "MAX_LENGTH" | "PATTERN" } | null {
  const length = [...tag].length;
  if (length < 1) return { message: "must not be empty", code: "MIN_LENGTH" };
  if (length > TAG_MAX_LENGTH) return { message: `must be at most ${TAG_MAX_LENGTH} characters`, code: "MAX_LENGTH" };
  if (!TAG_PATTERN.test(tag))
    return { message: "may hold only letters, digits and _ . : / - (no spaces or commas)", code: "PATTERN" };
  return null;
}

/**
 * A task's tags as stored: each trimmed and checked, repeats (ignoring case) dropped keeping the
 * first spelling, in the order given. Each problem is reported as `<field>[i]` (i: the index given).
 */
export function normalizeTags(given: readonly string[], fail: Fail, field = "tags"): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  given.forEach((raw, i) => {
    const tag = raw.trim();
    const problem = tagProblem(tag);
    if (problem) {
      fail(
        `${field}[${i}]`,
        problem.message,
        problem.code,
        problem.code === "PATTERN" ? undefined : { limit: problem.code === "MIN_LENGTH" ? 1 : TAG_MAX_LENGTH },
      );
      return;
    }
    const key = tagKey(tag);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(tag);
  });
  if (out.length > TAG_MAX_ITEMS)
    fail(field, `must have at most ${TAG_MAX_ITEMS} tags`, "MAX_ITEMS", { limit: TAG_MAX_ITEMS });
  return out;
}

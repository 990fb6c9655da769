/**
 * Splits a list typed as one line on `,` or the full-width `，` (as Chinese keyboards type it),
 * trims items and drops blanks. Arrays are accepted too, so API input and form input share it.
 */
export function parseList(input: string | readonly string[] | null | undefined): string[] {
  if (input == null) return [];
  const parts = typeof input === "string" ? input.split(/[,，]/) : input;
  return parts.map((item) => item.trim()).filter((item) => item.length > 0);
}

/** The inverse of parseList for showing a list in a one-line input. */
export function formatList(items: readonly string[]): string {
  return items.join(", ");
}

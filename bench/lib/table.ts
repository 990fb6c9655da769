/** Prints rows as an aligned plain-text table (first column left-aligned, the others right). */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const ms = (v: number | null | undefined, digits = 0) => (v == null ? "-" : `${v.toFixed(digits)}`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const pct = (v: number | null | undefined) => (v == null ? "-" : `${v.toFixed(0)}%`);

// Command-line values of the benches.

/** A comma list, trimmed, without empty items. */
export const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** An integer option within [min, max], or an error naming the option. */
export function int(name: string, s: string, min: number, max: number): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer ${min}..${max}`);
  return n;
}

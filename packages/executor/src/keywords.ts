/**
 * The keywords that occur in `output` (case-sensitive substring test), deduplicated, in keyword order.
 * An empty keyword never matches: it would match every run.
 */
export function matchKeywords(output: string, keywords: readonly string[]): string[] {
  const matched = new Set<string>();
  for (const keyword of keywords) {
    if (keyword !== "" && !matched.has(keyword) && output.includes(keyword)) matched.add(keyword);
  }
  return [...matched];
}

import { Cron } from "croner";

// One parser for every place that reads a cron expression (validation, nextRunAt, preview, the
// scheduler), so they can never disagree. croner reads 5 fields as minute-first and 6 as
// seconds-first; `@hourly`-style nicknames are accepted. legacyMode (the croner default: day of
// month OR day of week, as Vixie cron) is kept so expressions mean what users of cron expect.

export interface CronCheck {
  ok: boolean;
  error?: string;
}

/** Creates a paused croner job for computing fire times; it never runs anything itself. */
export function cronPattern(expression: string, timezone: string): Cron {
  return new Cron(expression.trim(), { timezone, paused: true, mode: "5-or-6-parts" });
}

export function checkCron(expression: string, timezone: string): CronCheck {
  const trimmed = expression.trim();
  if (trimmed.length === 0) return { ok: false, error: "must not be empty" };
  try {
    const job = cronPattern(trimmed, timezone);
    if (job.nextRun() === null) return { ok: false, error: "never fires" };
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The next `count` fire instants strictly after `after`. */
export function nextRuns(expression: string, timezone: string, count: number, after: Date = new Date()): Date[] {
  return cronPattern(expression, timezone).nextRuns(count, after);
}

export function nextRun(expression: string, timezone: string, after: Date = new Date()): Date | null {
  return cronPattern(expression, timezone).nextRun(after);
}

/** True when the zone is one the runtime's ICU knows (IANA names, e.g. Asia/Shanghai). */
export function isValidTimezone(zone: string): boolean {
  if (zone.trim() !== zone || zone.length === 0) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

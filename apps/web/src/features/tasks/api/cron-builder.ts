/**
 * The cron builder's presets and their expressions. `parseSchedule` reads an expression back into
 * a preset only when `buildCron` would write exactly that expression again, so switching between
 * the text field and the pickers never changes a schedule behind the user's back.
 */

/** Steps that divide a minute or an hour evenly (`*∕7` would fire at :56 and again at :00). */
export const EVERY_STEPS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] as const;

export type Schedule =
  | { kind: "seconds"; every: number }
  | { kind: "minutes"; every: number }
  | { kind: "hourly"; minute: number }
  | { kind: "daily"; hour: number; minute: number }
  | { kind: "weekly"; days: number[]; hour: number; minute: number }
  | { kind: "monthly"; day: number; hour: number; minute: number };

export type ScheduleKind = Schedule["kind"];

export const SCHEDULE_KINDS: readonly ScheduleKind[] = ["minutes", "hourly", "daily", "weekly", "monthly", "seconds"];

/** What a preset starts from when picked while the expression is something else. */
export function defaultSchedule(kind: ScheduleKind): Schedule {
  switch (kind) {
    case "seconds":
      return { kind, every: 30 };
    case "minutes":
      return { kind, every: 5 };
    case "hourly":
      return { kind, minute: 0 };
    case "daily":
      return { kind, hour: 9, minute: 0 };
    case "weekly":
      return { kind, days: [1, 2, 3, 4, 5], hour: 9, minute: 0 };
    case "monthly":
      return { kind, day: 1, hour: 9, minute: 0 };
  }
}

/** Days of the week (0 = Sunday) as a cron list, runs of three or more as ranges: `1-5`, `0,6`. */
function dayList(days: number[]): string {
  const sorted = [...new Set(days)].filter((d) => d >= 0 && d <= 6).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    const first = sorted[i] as number;
    const last = sorted[j] as number;
    if (j - i >= 2) parts.push(`${first}-${last}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(",");
}

export function buildCron(s: Schedule): string {
  switch (s.kind) {
    case "seconds":
      return s.every === 1 ? "* * * * * *" : `*/${s.every} * * * * *`;
    case "minutes":
      return s.every === 1 ? "* * * * *" : `*/${s.every} * * * *`;
    case "hourly":
      return `${s.minute} * * * *`;
    case "daily":
      return `${s.minute} ${s.hour} * * *`;
    case "weekly":
      return `${s.minute} ${s.hour} * * ${dayList(s.days)}`;
    case "monthly":
      return `${s.minute} ${s.hour} ${s.day} * *`;
  }
}

/** A plain number in [min, max] written without leading zeros, else null. */
function int(field: string | undefined, min: number, max: number): number | null {
  if (field === undefined || !/^(0|[1-9]\d*)$/.test(field)) return null;
  const n = Number(field);
  return n >= min && n <= max ? n : null;
}

function step(field: string | undefined): number | null {
  if (field === "*") return 1;
  const m = /^\*\/(\d+)$/.exec(field ?? "");
  const n = m ? int(m[1], 2, 59) : null;
  return n !== null && (EVERY_STEPS as readonly number[]).includes(n) ? n : null;
}

function days(field: string | undefined): number[] | null {
  if (!field) return null;
  const out: number[] = [];
  for (const part of field.split(",")) {
    const [a, b, extra] = part.split("-");
    const from = int(a, 0, 6);
    const to = b === undefined ? from : int(b, 0, 6);
    if (from === null || to === null || extra !== undefined || to < from) return null;
    for (let d = from; d <= to; d++) out.push(d);
  }
  return out;
}

function candidate(fields: string[]): Schedule | null {
  if (fields.length === 6) {
    const every = step(fields[0]);
    return every !== null && fields.slice(1).every((f) => f === "*") ? { kind: "seconds", every } : null;
  }
  if (fields.length !== 5) return null;
  const [min, hour, dom, month, dow] = fields;
  if (month !== "*") return null;
  if (hour === "*" && dom === "*" && dow === "*") {
    const every = step(min);
    if (every !== null) return { kind: "minutes", every };
    const minute = int(min, 0, 59);
    return minute === null ? null : { kind: "hourly", minute };
  }
  const minute = int(min, 0, 59);
  const h = int(hour, 0, 23);
  if (minute === null || h === null) return null;
  if (dom === "*" && dow === "*") return { kind: "daily", hour: h, minute };
  if (dom === "*") {
    const d = days(dow);
    return d ? { kind: "weekly", days: d, hour: h, minute } : null;
  }
  const day = dow === "*" ? int(dom, 1, 31) : null;
  return day === null ? null : { kind: "monthly", day, hour: h, minute };
}

/** The preset an expression is, or null for a custom expression (anything the pickers would not write). */
export function parseSchedule(cron: string): Schedule | null {
  const normal = cron.trim().split(/\s+/).join(" ");
  if (!normal) return null;
  const schedule = candidate(normal.split(" "));
  return schedule && buildCron(schedule) === normal ? schedule : null;
}

import type { Translate } from "./i18n/index.tsx";

/** The viewer's IANA zone, e.g. "Asia/Shanghai". */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string | undefined, withYear: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone ?? ""}|${withYear}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, {
        year: withYear ? "numeric" : undefined,
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZone,
      });
    } catch {
      // An unknown zone must not break the page: fall back to the viewer's own.
      return formatter(locale, undefined, withYear);
    }
    formatters.set(key, f);
  }
  return f;
}

/**
 * A date and time for people: the year only when it is not this year, 24-hour clock.
 * `timeZone` defaults to the viewer's zone.
 */
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const withYear = date.getFullYear() !== new Date().getFullYear();
  return formatter(locale, timeZone, withYear).format(date);
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone a formatted time is in, shown next to it: the IANA name when the time is shown in a
 * task's zone ("Asia/Shanghai"), else the viewer's offset at that instant ("GMT+8", "UTC").
 * An unknown `zone` falls back to the viewer's, as formatDateTime does.
 */
export function zoneLabel(iso: string, locale: string, zone?: string): string {
  if (zone && isZone(zone)) return zone;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const part = new Intl.DateTimeFormat(locale, { timeZoneName: "shortOffset" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  return part?.value === "GMT" ? "UTC" : (part?.value ?? "");
}

/** Whether a time given with `zone` is shown in it (an unknown zone falls back to the viewer's). */
export function showsInZone(zone: string | undefined): zone is string {
  return zone !== undefined && isZone(zone);
}

/**
 * Hour ("14:00") labels in the viewer's zone, day ("Nov 23") labels in UTC because the server
 * counts runs per UTC day.
 */
export function formatAxisLabel(iso: string, locale: string, unit: "hour" | "day"): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions =
    unit === "hour"
      ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
      : { month: "short", day: "numeric", timeZone: "UTC" };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

export function formatDuration(ms: number | null | undefined, t: Translate): string {
  if (ms == null || !Number.isFinite(ms)) return t("common.none");
  if (ms < 1000) return t("duration.ms", { n: Math.round(ms) });
  const seconds = ms / 1000;
  if (seconds < 60) return t("duration.s", { n: seconds < 10 ? seconds.toFixed(1) : Math.round(seconds) });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t("duration.min", { m: minutes, s: Math.round(seconds % 60) });
  return t("duration.h", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

export function formatBytes(bytes: number, t: Translate): string {
  if (bytes < 1024) return t("bytes.b", { n: bytes });
  if (bytes < 1024 * 1024) return t("bytes.kib", { n: Math.round(bytes / 1024) });
  return t("bytes.mib", { n: Math.round((bytes / (1024 * 1024)) * 10) / 10 });
}

import { type RunStatus, runErrorMessage } from "@crondeck/core";
import {
  DEFAULT_NOTIFY_LANGUAGE,
  isNotifyLanguage,
  type MessageCatalogue,
  messagesFor,
  type NotifyLanguage,
} from "./messages.ts";
import type { RunSummary } from "./types.ts";

/** Default size of the output tail in an email; robots get less (their messages are capped). */
export const EMAIL_OUTPUT_BYTES = 2048;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences is the point.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Colour codes from `ls --color` or test runners are noise in an email or a chat message. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, "");
}

/**
 * The last `maxBytes` (UTF-8) of the output, cut on a character boundary, colour codes removed.
 * `cut` says whether anything was left out here or earlier by the executor's capping.
 */
export function outputTail(
  run: Pick<RunSummary, "output" | "truncated">,
  maxBytes: number,
): { text: string; cut: boolean } {
  const clean = stripAnsi(run.output).replace(/\r\n/g, "\n").trimEnd();
  const bytes = Buffer.from(clean, "utf8");
  if (bytes.length <= maxBytes) return { text: clean, cut: run.truncated };
  let start = bytes.length - maxBytes;
  // Skip UTF-8 continuation bytes (10xxxxxx) so the tail starts on a whole character.
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return { text: bytes.subarray(start).toString("utf8"), cut: true };
}

/** Cuts text to at most `maxBytes` of UTF-8 from its start, on a character boundary, marking the cut. */
export function fitBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const marker = "…";
  let end = Math.max(0, maxBytes - Buffer.byteLength(marker));
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8") + marker;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * `2026-12-01 09:00:00 (Asia/Shanghai)`: the wall-clock time in the task's zone, the zone named so a
 * reader elsewhere knows which clock it is. An unknown zone falls back to UTC rather than failing a
 * notification.
 */
export function formatTime(date: Date | null, timeZone: string | null | undefined): string {
  if (!date) return "—";
  const zone = timeZone || "UTC";
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = zoneFormat(zone).formatToParts(date);
  } catch {
    return zone === "UTC" ? date.toISOString() : formatTime(date, "UTC");
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${part("second")} (${zone})`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    zoneFormats.set(zone, format);
  }
  return format;
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min (毫秒, 秒, 分, 小时): precise enough to compare runs at a glance. */
export function formatDuration(ms: number | null, language?: string | null): string {
  if (ms == null) return "—";
  const unit = messagesFor(language).duration;
  if (ms < 1000) return `${Math.round(ms)} ${unit.ms}`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} ${unit.s}`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} ${unit.min} ${String(totalSeconds % 60).padStart(2, "0")} ${unit.s}`;
  return `${Math.floor(minutes / 60)} ${unit.h} ${String(minutes % 60).padStart(2, "0")} ${unit.min}`;
}

export function runUrl(run: Pick<RunSummary, "runId" | "test">, publicUrl: string | null | undefined): string | null {
  if (!publicUrl || run.test) return null;
  return `${publicUrl.replace(/\/+$/, "")}/runs/${run.runId}`;
}

/** Task names are user text; a line break in one must not become a header break or a markdown block. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ").trim();
}

/** The language a message about this run is written in. */
export function languageOf(run: Pick<RunSummary, "language">): NotifyLanguage {
  return isNotifyLanguage(run.language) ? run.language : DEFAULT_NOTIFY_LANGUAGE;
}

function keywordList(run: Pick<RunSummary, "matchedKeywords">, m: MessageCatalogue): string {
  return run.matchedKeywords.map(oneLine).join(m.listSeparator);
}

/**
 * `[Crondeck] backup-db failed` / `[Crondeck] backup-db 执行失败`; a keyword match says which
 * keywords. "Crondeck" doubles as a chat robot's security keyword.
 */
export function headline(run: RunSummary): string {
  const m = messagesFor(run.language);
  const task = oneLine(run.taskName);
  if (run.test) return m.testTitle(task);
  const outcome = m.outcome[run.status] ?? run.status;
  return run.matchedKeywords.length > 0 ? m.titleKeywords(task, outcome, keywordList(run, m)) : m.title(task, outcome);
}

/** "2 of 3" / "第 2 次（共 3 次）"; the total only when the summary knows it. */
export function attemptText(run: Pick<RunSummary, "attempt" | "maxAttempts" | "language">): string {
  return messagesFor(run.language).attempt(run.attempt, run.maxAttempts ?? null);
}

/**
 * What happened, in one sentence: `Task “backup-db” failed on attempt 2 of 3 (exit code 2).` plus
 * the keywords that matched. The attempt is named when there was or could be more than one.
 */
export function summaryLine(run: RunSummary): string {
  const m = messagesFor(run.language);
  const multi = run.attempt > 1 || (run.maxAttempts ?? 1) > 1;
  const sentence = m.summary({
    task: oneLine(run.taskName),
    outcome: m.outcome[run.status] ?? run.status,
    attempt: multi ? attemptText(run) : null,
    result: resultCode(run),
  });
  return run.matchedKeywords.length > 0
    ? `${sentence}${m.sentenceGap}${m.summaryKeywords(keywordList(run, m))}`
    : sentence;
}

/**
 * The run's error as the message shows it, in the message's language: worded from its code (the
 * catalogue the dashboard uses too), else the recorded English text (a run from before codes, or
 * a code this version does not know).
 */
export function errorText(
  run: Pick<RunSummary, "error" | "errorCode" | "errorParams">,
  language: NotifyLanguage,
): string | null {
  const said = run.errorCode ? runErrorMessage(run.errorCode, run.errorParams, language) : null;
  return said ?? (run.error ? run.error : null);
}

export type Tone = "good" | "bad" | "neutral" | "warning";

export function statusTone(status: RunStatus): Tone {
  switch (status) {
    case "SUCCEEDED":
      return "good";
    case "FAILED":
    case "TIMED_OUT":
    case "LOST":
      return "bad";
    case "CANCELED":
      return "warning";
    default:
      return "neutral";
  }
}

/** "exit code 1" / "退出码 1", "HTTP 503" or null: SHELL runs report the former, HTTP runs the latter. */
export function resultCode(run: Pick<RunSummary, "exitCode" | "httpStatus" | "language">): string | null {
  const m = messagesFor(run.language);
  if (run.exitCode != null) return m.exitCode(run.exitCode);
  if (run.httpStatus != null) return m.httpStatus(run.httpStatus);
  return null;
}

export type RowKey =
  | "task"
  | "status"
  | "attempt"
  | "trigger"
  | "scheduled"
  | "started"
  | "finished"
  | "duration"
  | "result"
  | "executor"
  | "keywords";

export interface DetailRow {
  key: RowKey;
  label: string;
  value: string;
}

/** Label/value rows shared by every message body, in display order, in the run's language and zone. */
export function detailRows(run: RunSummary): DetailRow[] {
  const m = messagesFor(run.language);
  const row = (key: RowKey, value: string): DetailRow => ({ key, label: m.labels[key], value });
  const rows: DetailRow[] = [
    row("task", `${oneLine(run.taskName)} (#${run.taskId}, ${run.mode})`),
    row("status", m.status[run.status] ?? run.status),
    row("attempt", attemptText(run)),
    row("trigger", m.trigger[run.trigger] ?? run.trigger),
    row("scheduled", formatTime(run.scheduledAt, run.timezone)),
    row("started", formatTime(run.startedAt, run.timezone)),
    row("finished", formatTime(run.finishedAt, run.timezone)),
    row("duration", formatDuration(run.durationMs, run.language)),
  ];
  const code = resultCode(run);
  if (code) rows.push(row("result", code));
  if (run.executor) rows.push(row("executor", run.executor));
  if (run.matchedKeywords.length > 0) rows.push(row("keywords", keywordList(run, m)));
  return rows;
}

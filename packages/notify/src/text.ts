import type { RunStatus } from "@crondeck/core";
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

export function isoOrDash(date: Date | null): string {
  return date ? date.toISOString() : "—";
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min: precise enough to compare runs at a glance. */
export function formatDuration(ms: number | null): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(totalSeconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function runUrl(run: Pick<RunSummary, "runId" | "test">, publicUrl: string | null | undefined): string | null {
  if (!publicUrl || run.test) return null;
  return `${publicUrl.replace(/\/+$/, "")}/runs/${run.runId}`;
}

/** Task names are user text; a line break in one must not become a header break or a markdown block. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ").trim();
}

/** `[Crondeck] backup-db FAILED`; a keyword match says which keyword. "Crondeck" doubles as a robot security keyword. */
export function headline(run: RunSummary): string {
  if (run.test) return `[Crondeck] Test notification for ${oneLine(run.taskName)}`;
  const keywords = run.matchedKeywords.length > 0 ? ` (keyword: ${run.matchedKeywords.map(oneLine).join(", ")})` : "";
  return `[Crondeck] ${oneLine(run.taskName)} ${run.status}${keywords}`;
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

/** "Exit code 1", "HTTP 503" or null: SHELL runs report the former, HTTP runs the latter. */
export function resultCode(run: Pick<RunSummary, "exitCode" | "httpStatus">): string | null {
  if (run.exitCode != null) return `exit code ${run.exitCode}`;
  if (run.httpStatus != null) return `HTTP ${run.httpStatus}`;
  return null;
}

/** Label/value rows shared by every message body, in display order. */
export function detailRows(run: RunSummary): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["Task", `${oneLine(run.taskName)} (#${run.taskId}, ${run.mode})`],
    ["Status", run.status],
    ["Trigger", run.attempt > 1 ? `${run.trigger}, attempt ${run.attempt}` : run.trigger],
    ["Scheduled", isoOrDash(run.scheduledAt)],
    ["Started", isoOrDash(run.startedAt)],
    ["Finished", isoOrDash(run.finishedAt)],
    ["Duration", formatDuration(run.durationMs)],
  ];
  const code = resultCode(run);
  if (code) rows.push(["Result", code]);
  if (run.executor) rows.push(["Executor", run.executor]);
  if (run.matchedKeywords.length > 0) rows.push(["Matched keywords", run.matchedKeywords.join(", ")]);
  return rows;
}

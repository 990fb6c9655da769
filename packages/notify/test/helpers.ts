// What the notify tests share besides the real servers (which come from @crondeck/testing): a sample
// run and readers of a raw MIME message.
import type { RunSummary } from "../src/index.ts";

export function sampleRun(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    taskId: 7,
    taskName: "backup-db",
    mode: "SHELL",
    trigger: "SCHEDULE",
    status: "FAILED",
    scheduledAt: new Date("2026-11-23T02:00:00.000Z"),
    startedAt: new Date("2026-11-23T02:00:00.250Z"),
    finishedAt: new Date("2026-11-23T02:00:03.750Z"),
    durationMs: 3500,
    exitCode: 2,
    httpStatus: null,
    output: "dumping tables...\nERROR: disk full\n",
    truncated: false,
    error: "exited with code 2",
    matchedKeywords: [],
    runId: 4242,
    attempt: 1,
    ...overrides,
  };
}

/** The decoded text of each MIME part of a raw message, keyed by content type (enough for nodemailer's output). */
export function mimeParts(raw: string): Record<string, string> {
  const [, headerBlock = ""] = /^([\s\S]*?)\r?\n\r?\n/.exec(raw) ?? [];
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headerBlock)?.[1];
  const sections = boundary ? raw.split(`--${boundary}`).slice(1, -1) : [raw];
  const parts: Record<string, string> = {};
  for (const section of sections) {
    const split = /\r?\n\r?\n/.exec(section.replace(/^\r?\n/, ""));
    const trimmed = section.replace(/^\r?\n/, "");
    if (!split) continue;
    const headers = trimmed.slice(0, split.index);
    const body = trimmed.slice(split.index + split[0].length);
    const type = /content-type:\s*([^;\r\n]+)/i.exec(headers)?.[1]?.trim().toLowerCase() ?? "text/plain";
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(headers)?.[1]?.toLowerCase() ?? "7bit";
    parts[type] = decodeBody(body, encoding);
  }
  return parts;
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const unfolded = body.replace(/=\r?\n/g, "");
    const bytes: number[] = [];
    for (let i = 0; i < unfolded.length; i++) {
      const hex = unfolded.slice(i + 1, i + 3);
      if (unfolded[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(unfolded[i] ?? "", "utf8"));
      }
    }
    return Buffer.from(bytes).toString("utf8");
  }
  return body;
}

export function headerOf(raw: string, name: string): string | undefined {
  const headerBlock = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, " ");
  return new RegExp(`^${name}:\\s*(.*)$`, "im").exec(unfolded)?.[1];
}

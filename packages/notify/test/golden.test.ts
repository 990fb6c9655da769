// Golden files: every message format in both languages, rendered from fixed runs and compared byte
// for byte with packages/notify/test/golden/<format>.<lang>.(txt|json). A change in wording or layout
// shows up here as a diff to review. After an intended change, rewrite them with
//   UPDATE_GOLDEN=1 pnpm exec vitest run packages/notify/test/golden.test.ts
// and read the diff before committing it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WebhookFormat } from "../src/detect.ts";
import { buildEmail, buildWebhookPayload, NOTIFY_LANGUAGES, type RunSummary, testRunSummary } from "../src/index.ts";

const DIR = new URL("./golden/", import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const PUBLIC_URL = "https://crondeck.example.com";
const NOW = new Date("2026-12-01T01:00:05.000Z");

/** A SHELL task's second of three attempts, failed, in Shanghai (09:00 local is 01:00 UTC). */
function failedRun(language: "zh" | "en"): RunSummary {
  return {
    taskId: 12,
    taskName: "nightly-backup",
    mode: "SHELL",
    trigger: "RETRY",
    status: "FAILED",
    scheduledAt: new Date("2026-12-01T01:00:00.000Z"),
    startedAt: new Date("2026-12-01T01:00:00.250Z"),
    finishedAt: new Date("2026-12-01T01:00:03.750Z"),
    durationMs: 3500,
    exitCode: 2,
    httpStatus: null,
    output: "dumping tables...\nERROR: disk full (/var/backups)\n",
    truncated: false,
    error: "exited with code 2",
    matchedKeywords: [],
    runId: 4242,
    attempt: 2,
    maxAttempts: 3,
    executor: "host-a",
    timezone: "Asia/Shanghai",
    language,
  };
}

function golden(name: string, actual: string): void {
  const file = new URL(name, DIR);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`golden file ${name} is missing: run with UPDATE_GOLDEN=1 to write it`);
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

const WEBHOOK_FORMATS: Array<[WebhookFormat, string]> = [
  ["JSON", "json"],
  ["DINGTALK", "dingtalk"],
  ["WECOM", "wecom"],
  ["FEISHU", "feishu"],
  ["SLACK", "slack"],
];

describe.each(NOTIFY_LANGUAGES)("golden messages (%s)", (language) => {
  it("email: subject, text and HTML", () => {
    const email = buildEmail(failedRun(language), { publicUrl: PUBLIC_URL });
    golden(
      `email.${language}.txt`,
      `Subject: ${email.subject}\n\n===== text/plain =====\n${email.text}\n===== text/html =====\n${email.html}`,
    );
  });

  it("test message email: the task being edited, a sample keyword match, marked as a test", () => {
    const run = testRunSummary(
      {
        id: 12,
        name: "nightly-backup",
        mode: "SHELL",
        timezone: "Asia/Shanghai",
        retryCount: 2,
        language,
        notifyPolicy: "ON_KEYWORD",
        notifyKeywords: ["OOM", "DISK_FULL"],
      },
      NOW,
    );
    const email = buildEmail(run, { publicUrl: PUBLIC_URL });
    golden(`test-email.${language}.txt`, `Subject: ${email.subject}\n\n===== text/plain =====\n${email.text}`);
  });

  it.each(WEBHOOK_FORMATS)("%s webhook body", (format, name) => {
    const request = buildWebhookPayload(format, failedRun(language), {
      url: "https://hooks.example.com/crondeck",
      publicUrl: PUBLIC_URL,
      now: NOW,
    });
    golden(`${name}.${language}.json`, `${JSON.stringify(request.body, null, 2)}\n`);
  });
});

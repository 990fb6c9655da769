import type { WebhookFormat } from "./detect.ts";
import { buildEmail } from "./email.ts";
import { type MessageCatalogue, messagesFor } from "./messages.ts";
import { dingtalkSign, feishuSign, jsonBodySignature } from "./signing.ts";
import {
  detailRows,
  EMAIL_OUTPUT_BYTES,
  errorText,
  fitBytes,
  headline,
  languageOf,
  oneLine,
  outputTail,
  runUrl,
  statusTone,
  summaryLine,
  type Tone,
} from "./text.ts";
import type { RunSummary } from "./types.ts";

export interface WebhookPayloadOptions {
  /** The webhook URL as configured; signing may append query parameters to it. */
  url: string;
  secret?: string | null;
  /** Signing clock; tests pin it. */
  now?: Date;
  publicUrl?: string | null;
}

export interface WebhookRequest {
  /** Where to POST: the configured URL, plus `timestamp`/`sign` for a signed DingTalk robot. */
  url: string;
  body: unknown;
  /** Extra headers; for the generic format with a secret, the signature headers. */
  headers: Record<string, string>;
}

// Robots render a chat message, not a log viewer: keep the output short enough for every robot's cap
// (WeCom's markdown content is limited to 4096 bytes, Slack's section text to 3000 characters).
const ROBOT_OUTPUT_BYTES = 1000;
const WECOM_MAX_BYTES = 4096;
const SLACK_MAX_SECTION_CHARS = 3000;
const SLACK_MAX_HEADER_CHARS = 150;

/**
 * The request for one webhook delivery in the given format.
 *
 * Generic JSON body (format "JSON"), stable for receivers:
 * ```
 * {
 *   "event": "run.finished",
 *   "test": false,                      // true for POST /api/notifications/test samples
 *   "language": "zh",                   // the language of `message` (the task's, else NOTIFY_LANGUAGE)
 *   "task": { "id": 3, "name": "backup-db", "mode": "SHELL", "timezone": "Asia/Shanghai" },
 *   "message": {                        // the same message as people get it, in that language
 *     "title": "[Crondeck] backup-db 执行失败",
 *     "summary": "任务“backup-db”第 2 次（共 3 次）尝试执行失败（退出码 1）。",
 *     "text": "…the whole message as plain text (times in the task's zone, output tail, link)…"
 *   },
 *   "run": {
 *     "id": 42, "status": "FAILED", "trigger": "SCHEDULE", "attempt": 2, "maxAttempts": 3,
 *     "scheduledAt": "2026-11-23T02:00:00.000Z", "startedAt": "…", "finishedAt": "…",   // ISO-8601 UTC or null
 *     "durationMs": 1234, "exitCode": 1, "httpStatus": null, "error": "exit code 1",
 *     "matchedKeywords": [], "executor": "host-a",
 *     "outputExcerpt": "…last 2 KB…", "outputTruncated": true,
 *     "url": "https://crondeck.example.com/runs/42"        // null without PUBLIC_URL
 *   }
 * }
 * ```
 * With a secret, the JSON format adds `X-Crondeck-Timestamp` (Unix seconds) and
 * `X-Crondeck-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`.
 */
export function buildWebhookPayload(
  format: WebhookFormat,
  run: RunSummary,
  opts: WebhookPayloadOptions,
): WebhookRequest {
  const now = opts.now ?? new Date();
  const secret = opts.secret || null;
  const link = runUrl(run, opts.publicUrl);
  switch (format) {
    case "JSON": {
      const body = genericBody(run, link, opts.publicUrl);
      if (!secret) return { url: opts.url, body, headers: {} };
      const timestamp = Math.floor(now.getTime() / 1000);
      const signature = jsonBodySignature(secret, timestamp, JSON.stringify(body));
      return {
        url: opts.url,
        body,
        headers: { "X-Crondeck-Timestamp": String(timestamp), "X-Crondeck-Signature": `sha256=${signature}` },
      };
    }
    case "DINGTALK": {
      const body = dingtalkBody(run, link);
      if (!secret) return { url: opts.url, body, headers: {} };
      const timestamp = now.getTime();
      const sign = encodeURIComponent(dingtalkSign(secret, timestamp));
      const separator = opts.url.includes("?") ? "&" : "?";
      return { url: `${opts.url}${separator}timestamp=${timestamp}&sign=${sign}`, body, headers: {} };
    }
    case "FEISHU": {
      const body = feishuBody(run, link);
      if (!secret) return { url: opts.url, body, headers: {} };
      const timestamp = Math.floor(now.getTime() / 1000);
      // Feishu wants the timestamp as a string and the signature fields first-class in the body.
      return {
        url: opts.url,
        body: { timestamp: String(timestamp), sign: feishuSign(secret, timestamp), ...body },
        headers: {},
      };
    }
    case "WECOM":
      return { url: opts.url, body: wecomBody(run, link), headers: {} };
    case "SLACK":
      return { url: opts.url, body: slackBody(run, link), headers: {} };
  }
}

function genericBody(run: RunSummary, link: string | null, publicUrl: string | null | undefined) {
  const tail = outputTail(run, EMAIL_OUTPUT_BYTES);
  return {
    event: "run.finished",
    test: run.test === true,
    language: languageOf(run),
    task: { id: run.taskId, name: run.taskName, mode: run.mode, timezone: run.timezone || "UTC" },
    // What a person reads; the machine fields below keep their ISO times and raw values.
    message: {
      title: headline(run),
      summary: summaryLine(run),
      text: buildEmail(run, { publicUrl: publicUrl ?? undefined }).text,
    },
    run: {
      id: run.runId,
      status: run.status,
      trigger: run.trigger,
      attempt: run.attempt,
      maxAttempts: run.maxAttempts ?? null,
      scheduledAt: run.scheduledAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      durationMs: run.durationMs,
      exitCode: run.exitCode,
      httpStatus: run.httpStatus,
      error: run.error,
      matchedKeywords: run.matchedKeywords,
      executor: run.executor ?? null,
      outputExcerpt: tail.text,
      outputTruncated: tail.cut,
      url: link,
    },
  };
}

function robotTail(run: RunSummary, maxBytes = ROBOT_OUTPUT_BYTES): { text: string; title: string } {
  const m = messagesFor(run.language);
  const tail = outputTail(run, maxBytes);
  return { text: tail.text, title: tail.cut ? m.labels.outputTail : m.labels.output };
}

/** Markdown blockquote that keeps line breaks: a trailing double space is a hard break. */
function quoteLines(text: string): string {
  return text
    .split("\n")
    .map((line) => `> ${line}  `)
    .join("\n");
}

/** What every robot message says before its details: the test notice, then what happened. */
function opening(run: RunSummary, m: MessageCatalogue): string[] {
  return [...(run.test ? [m.testIntro, ""] : []), oneLine(summaryLine(run)), ""];
}

function errorOf(run: RunSummary): string | null {
  return errorText(run, languageOf(run));
}

// DingTalk markdown: https://open.dingtalk.com/document/group/custom-robot-access (message types).
// "Crondeck" is in both title and text so a robot with a custom-keyword security setting accepts it.
function dingtalkBody(run: RunSummary, link: string | null) {
  const m = messagesFor(run.language);
  const title = headline(run);
  const tail = robotTail(run);
  const error = errorOf(run);
  const lines = [
    `### ${title}`,
    "",
    ...opening(run, m),
    ...detailRows(run).map(({ label, value }) => `- **${label}:** ${value}`),
    ...(error ? ["", `**${m.labels.error}:** ${oneLine(error)}`] : []),
    ...(tail.text ? ["", `**${tail.title}:**`, "", quoteLines(tail.text)] : []),
    ...(link ? ["", `[${m.viewRun}](${link})`] : []),
  ];
  return { msgtype: "markdown", markdown: { title, text: lines.join("\n") } };
}

const WECOM_COLOURS: Record<Tone, string> = { good: "info", bad: "warning", warning: "comment", neutral: "comment" };

// WeCom group robot markdown: https://developer.work.weixin.qq.com/document/path/91770 — only
// `<font color="info|comment|warning">` colours, and content must stay within 4096 UTF-8 bytes.
function wecomBody(run: RunSummary, link: string | null) {
  const m = messagesFor(run.language);
  const colour = WECOM_COLOURS[statusTone(run.status)];
  const error = errorOf(run);
  const head = [
    `### ${headline(run)}`,
    ...opening(run, m).filter((line) => line !== ""),
    ...detailRows(run).map(({ key, label, value }) =>
      key === "status" ? `> ${label}: <font color="${colour}">${value}</font>` : `> ${label}: ${value}`,
    ),
    ...(error ? [`> ${m.labels.error}: <font color="warning">${oneLine(error)}</font>`] : []),
  ].join("\n");
  // A blank line first, or the link would be folded into the quoted output above it.
  const foot = link ? `\n\n[${m.viewRun}](${link})` : "";
  const budget = WECOM_MAX_BYTES - Buffer.byteLength(head) - Buffer.byteLength(foot) - 64;
  const tail = budget > 0 ? robotTail(run, Math.min(ROBOT_OUTPUT_BYTES, budget)) : { text: "", title: "" };
  const output = tail.text ? `\n\n**${tail.title}:**\n${quoteLines(tail.text)}` : "";
  return { msgtype: "markdown", markdown: { content: fitBytes(head + output + foot, WECOM_MAX_BYTES) } };
}

const FEISHU_TEMPLATES: Record<Tone, string> = { good: "green", bad: "red", warning: "orange", neutral: "grey" };

// Feishu/Lark custom bot, message card (msg_type "interactive"):
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot. The summary, the output and the
// error are sent as plain_text so nothing in them is read as markup.
function feishuBody(run: RunSummary, link: string | null) {
  const m = messagesFor(run.language);
  const tail = robotTail(run);
  const error = errorOf(run);
  const elements: unknown[] = [];
  if (run.test) elements.push({ tag: "div", text: { tag: "plain_text", content: m.testIntro } });
  elements.push({ tag: "div", text: { tag: "plain_text", content: summaryLine(run) } });
  elements.push({
    tag: "div",
    text: {
      tag: "lark_md",
      content: detailRows(run)
        .map(({ label, value }) => `**${label}:** ${value}`)
        .join("\n"),
    },
  });
  if (error) elements.push({ tag: "div", text: { tag: "plain_text", content: `${m.labels.error}: ${error}` } });
  if (tail.text) {
    elements.push({ tag: "hr" });
    elements.push({ tag: "div", text: { tag: "plain_text", content: `${tail.title}:\n${tail.text}` } });
  }
  if (link) {
    elements.push({
      tag: "action",
      actions: [{ tag: "button", text: { tag: "plain_text", content: m.viewRun }, type: "primary", url: link }],
    });
  }
  return {
    msg_type: "interactive",
    card: {
      config: { wide_screen_mode: true },
      header: {
        title: { tag: "plain_text", content: headline(run) },
        template: FEISHU_TEMPLATES[statusTone(run.status)],
      },
      elements,
    },
  };
}

/** Slack mrkdwn treats &, < and > as control characters. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// Slack incoming webhook with Block Kit: https://api.slack.com/messaging/webhooks; `text` is the
// notification fallback, the blocks are what the channel shows.
function slackBody(run: RunSummary, link: string | null) {
  const m = messagesFor(run.language);
  const title = headline(run);
  const tail = robotTail(run);
  const error = errorOf(run);
  const details = detailRows(run)
    .map(({ label, value }) => `*${label}:* ${slackEscape(value)}`)
    .join("\n");
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(title, SLACK_MAX_HEADER_CHARS) } },
  ];
  if (run.test) blocks.push({ type: "section", text: { type: "plain_text", text: m.testIntro } });
  blocks.push({
    type: "section",
    text: { type: "plain_text", text: clip(summaryLine(run), SLACK_MAX_SECTION_CHARS) },
  });
  blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(details, SLACK_MAX_SECTION_CHARS) } });
  if (error) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip(`*${m.labels.error}:* ${slackEscape(error)}`, SLACK_MAX_SECTION_CHARS) },
    });
  }
  if (tail.text) {
    // A ``` inside the output would close the code block early.
    const code = slackEscape(tail.text).replace(/```/g, "`\u200b``");
    // Escaping can grow the text; clip the code, not the block, so the closing fence survives.
    const kept = code.length > SLACK_MAX_SECTION_CHARS - 40 ? `…${code.slice(-(SLACK_MAX_SECTION_CHARS - 41))}` : code;
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*${tail.title}:*\n\`\`\`${kept}\`\`\`` } });
  }
  if (link) blocks.push({ type: "section", text: { type: "mrkdwn", text: `<${link}|${m.viewRun}>` } });
  return { text: title, blocks };
}

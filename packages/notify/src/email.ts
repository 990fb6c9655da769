import { messagesFor } from "./messages.ts";
import {
  detailRows,
  EMAIL_OUTPUT_BYTES,
  errorText,
  escapeHtml,
  headline,
  languageOf,
  outputTail,
  runUrl,
  statusTone,
  summaryLine,
  type Tone,
} from "./text.ts";
import type { NotifyConfig, RunSummary } from "./types.ts";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const TONE_COLOURS: Record<Tone, string> = {
  good: "#1a7f37",
  bad: "#cf222e",
  warning: "#9a6700",
  neutral: "#57606a",
};

/** Columns a label takes in a monospaced font: CJK characters take two, so the values still line up. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char)
      ? 2
      : 1;
  return width;
}

/**
 * Subject, plain-text and HTML bodies for one run, in the run's language with its times in the
 * task's zone; every piece of run data is escaped in the HTML part.
 */
export function buildEmail(run: RunSummary, config: Pick<NotifyConfig, "publicUrl"> = {}): EmailContent {
  const m = messagesFor(run.language);
  const subject = headline(run);
  const summary = summaryLine(run);
  const rows = detailRows(run);
  const error = errorText(run, languageOf(run));
  const tail = outputTail(run, EMAIL_OUTPUT_BYTES);
  const link = runUrl(run, config.publicUrl);
  const outputTitle = tail.cut ? m.labels.outputEmailTail : m.labels.output;
  const intro = run.test ? m.testIntro : null;

  const labelWidth = Math.max(...rows.map(({ label }) => displayWidth(label))) + 2;
  const padded = (label: string) => `${label}:${" ".repeat(labelWidth - displayWidth(label) - 1)}`;
  const text = [
    subject,
    "",
    ...(intro ? [intro, ""] : []),
    summary,
    "",
    ...rows.map(({ label, value }) => `${padded(label)}${value}`),
    ...(error ? ["", `${m.labels.error}: ${error}`] : []),
    "",
    tail.text ? `${outputTitle}:\n----\n${tail.text}\n----` : `${m.labels.output}: ${m.noOutput}`,
    ...(link ? ["", `${m.labels.run}: ${link}`] : []),
    "",
  ].join("\n");

  const colour = TONE_COLOURS[statusTone(run.status)];
  const cell = "padding:4px 12px 4px 0;vertical-align:top";
  const html = `<!doctype html>
<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328">
<h2 style="margin:0 0 12px;font-size:18px">${escapeHtml(subject)}</h2>
${intro ? `<p>${escapeHtml(intro)}</p>\n` : ""}<p>${escapeHtml(summary)}</p>
<table style="border-collapse:collapse">
${rows.map(({ key, label, value }) => `<tr><th align="left" style="${cell}">${escapeHtml(label)}</th><td style="${cell}${key === "status" ? `;color:${colour};font-weight:600` : ""}">${escapeHtml(value)}</td></tr>`).join("\n")}
</table>
${error ? `<p><strong>${escapeHtml(m.labels.error)}:</strong> <span style="color:${TONE_COLOURS.bad}">${escapeHtml(error)}</span></p>\n` : ""}<h3 style="font-size:15px;margin:16px 0 6px">${escapeHtml(outputTitle)}</h3>
${tail.text ? `<pre style="background:#f6f8fa;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:12px">${escapeHtml(tail.text)}</pre>` : `<p>${escapeHtml(m.noOutput)}</p>`}
${link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(m.viewRun)}</a></p>` : ""}
</body></html>
`;
  return { subject, text, html };
}

import {
  detailRows,
  EMAIL_OUTPUT_BYTES,
  escapeHtml,
  headline,
  outputTail,
  runUrl,
  statusTone,
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

/** Subject, plain-text and HTML bodies for one run; every piece of run data is escaped in the HTML part. */
export function buildEmail(run: RunSummary, config: Pick<NotifyConfig, "publicUrl"> = {}): EmailContent {
  const subject = headline(run);
  const rows = detailRows(run);
  const tail = outputTail(run, EMAIL_OUTPUT_BYTES);
  const link = runUrl(run, config.publicUrl);
  const outputTitle = tail.cut ? "Output (last 2 KB; earlier output omitted)" : "Output";
  const intro = run.test
    ? "This is a test message from Crondeck: the notification settings work. The run below is a sample."
    : null;

  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 1;
  const text = [
    subject,
    "",
    ...(intro ? [intro, ""] : []),
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(labelWidth)} ${value}`),
    ...(run.error ? ["", `Error: ${run.error}`] : []),
    "",
    tail.text ? `${outputTitle}:\n----\n${tail.text}\n----` : "Output: (none)",
    ...(link ? ["", `Run: ${link}`] : []),
    "",
  ].join("\n");

  const colour = TONE_COLOURS[statusTone(run.status)];
  const cell = "padding:4px 12px 4px 0;vertical-align:top";
  const html = `<!doctype html>
<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328">
<h2 style="margin:0 0 12px;font-size:18px">${escapeHtml(subject)}</h2>
${intro ? `<p>${escapeHtml(intro)}</p>\n` : ""}<table style="border-collapse:collapse">
${rows.map(([label, value]) => `<tr><th align="left" style="${cell}">${escapeHtml(label)}</th><td style="${cell}${label === "Status" ? `;color:${colour};font-weight:600` : ""}">${escapeHtml(value)}</td></tr>`).join("\n")}
</table>
${run.error ? `<p><strong>Error:</strong> <span style="color:${TONE_COLOURS.bad}">${escapeHtml(run.error)}</span></p>\n` : ""}<h3 style="font-size:15px;margin:16px 0 6px">${escapeHtml(outputTitle)}</h3>
${tail.text ? `<pre style="background:#f6f8fa;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:12px">${escapeHtml(tail.text)}</pre>` : "<p>(none)</p>"}
${link ? `<p><a href="${escapeHtml(link)}">Open this run in Crondeck</a></p>` : ""}
</body></html>
`;
  return { subject, text, html };
}

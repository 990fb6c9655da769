import { request } from "undici";
import type { AttemptContext, AttemptInfo } from "./mode.ts";
import { type AttemptOutcome, describeError, failed } from "./outcome.ts";

/** The request an HTTP attempt sends. */
export interface HttpCall {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** Sent for POST only. */
  body: string | null;
}

const DEFAULT_USER_AGENT = "Crondeck";

/**
 * Sends the task's HTTP request and streams the response body into the sink.
 *
 * Redirects are deliberately not followed (undici's `request` only does so with a redirect interceptor,
 * which we do not add): a 3xx is recorded as it came, as FAILED, so a moved endpoint shows up in the run
 * history instead of silently hitting another URL with the task's headers and body.
 * undici's own header/body timeouts are disabled; the attempt's deadline aborts the request instead.
 */
export async function runHttp(req: HttpCall, attempt: AttemptContext): Promise<AttemptOutcome> {
  const { control, sink, dispatcher } = attempt;
  const method = req.method;
  let httpStatus: number | null = null;
  try {
    const response = await request(req.url, {
      method,
      headers: buildHeaders(req.headers, attempt),
      body: method === "POST" ? (req.body ?? "") : null,
      signal: control.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(dispatcher ? { dispatcher } : {}),
    });
    httpStatus = response.statusCode;
    const writer = sink.stream();
    try {
      for await (const chunk of response.body) writer.write(chunk as Buffer);
    } finally {
      writer.end();
    }
    if (httpStatus >= 200 && httpStatus < 300) return { status: "SUCCEEDED", exitCode: null, httpStatus, error: null };
    return failed(statusError(httpStatus, response.statusText, response.headers.location), { httpStatus });
  } catch (err) {
    const stoppedBy = control.reason;
    if (stoppedBy) return { status: stoppedBy, exitCode: null, httpStatus, error: control.describe(stoppedBy) };
    const reason = describeError(err);
    return failed(httpStatus === null ? reason : `reading the response failed: ${reason}`, { httpStatus });
  }
}

/**
 * Task headers plus ours. Names are matched case-insensitively so a task header never goes out twice
 * under two spellings. The task may override User-Agent; the run id and idempotency key are always ours.
 */
export function buildHeaders(taskHeaders: Record<string, string>, req: AttemptInfo): Record<string, string> {
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string) => headers.set(name.toLowerCase(), [name, value]);
  set("User-Agent", DEFAULT_USER_AGENT);
  for (const [name, value] of Object.entries(taskHeaders)) set(name, value);
  set("X-Crondeck-Run-Id", String(req.runId));
  set("Idempotency-Key", req.idempotencyKey);
  return Object.fromEntries(headers.values());
}

function statusError(status: number, statusText: string, location: string | string[] | undefined): string {
  const text = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  if (status >= 300 && status < 400) {
    return `${text}: redirects are not followed${location ? ` (Location: ${String(location)})` : ""}`;
  }
  return text;
}

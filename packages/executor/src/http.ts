import { type RunError, runError } from "@crondeck/core";
import { request } from "undici";
import type { AttemptContext, AttemptInfo } from "./mode.ts";
import { type AttemptOutcome, describeError, errorFields, failed, succeeded } from "./outcome.ts";

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
    if (httpStatus >= 200 && httpStatus < 300) return succeeded({ httpStatus });
    return failed(statusError(httpStatus, response.statusText, response.headers.location), { httpStatus });
  } catch (err) {
    const stoppedBy = control.reason;
    if (stoppedBy)
      return { status: stoppedBy, exitCode: null, httpStatus, ...errorFields(control.describe(stoppedBy)) };
    const reason = describeError(err);
    if (httpStatus !== null) {
      const message = `reading the response failed: ${reason}`;
      return failed(runError("HTTP_RESPONSE_FAILED", message, { status: httpStatus, reason }), { httpStatus });
    }
    return failed(requestError(err, reason, req.url));
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

function statusError(status: number, statusText: string, location: string | string[] | undefined): RunError {
  const text = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  if (status >= 300 && status < 400) {
    const where = location ? String(location) : "";
    const message = `${text}: redirects are not followed${where ? ` (Location: ${where})` : ""}`;
    return runError("HTTP_REDIRECT", message, { status, location: where });
  }
  return runError("HTTP_STATUS", text, { status, statusText });
}

/** Why a request got no answer, by the system error code found in the error or its causes. */
function requestError(err: unknown, reason: string, url: string): RunError {
  const code = errnoCode(err);
  if (code === "ECONNREFUSED") {
    let address = url;
    try {
      address = new URL(url).host;
    } catch {
      // keep the URL as given
    }
    return runError("HTTP_CONNECTION_REFUSED", reason, { address });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    let host = url;
    try {
      host = new URL(url).hostname;
    } catch {
      // keep the URL as given
    }
    return runError("HTTP_HOST_NOT_FOUND", reason, { host });
  }
  if (code === "ERR_INVALID_URL" || code === "UND_ERR_INVALID_ARG") {
    return runError("HTTP_INVALID_URL", reason, { reason });
  }
  return runError("HTTP_REQUEST_FAILED", reason, { reason });
}

/** The first `code` of the error, its causes, or (happy eyeballs) the errors it aggregates. */
function errnoCode(err: unknown, depth = 0): string | undefined {
  if (!(err instanceof Error) || depth > 5) return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === "string" && code !== "UND_ERR_SOCKET" && code !== "UND_ERR") return code;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const found = errnoCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return err.cause !== err ? errnoCode(err.cause, depth + 1) : undefined;
}

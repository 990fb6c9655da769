// The one place the dashboard talks HTTP: every request goes through `apiRequest`, so the error
// shape, the base URL, the CSRF token and a lost session are handled once. The API's shapes are
// the types generated from its OpenAPI document (@crondeck/api-client, imported for types only).

import type { ApiErrorBody } from "@crondeck/api-client";

/**
 * One bad field of an error answer; its `code` says what is wrong, for saying it in the reader's
 * language (see lib/api-errors.ts).
 */
export type FieldError = NonNullable<ApiErrorBody["details"]>[number];

/** A failed request, carrying the API's error body (`{statusCode,error,message,code,details}`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly details: FieldError[];
  /** Seconds to wait before trying again (the Retry-After header of a 429), else null. */
  readonly retryAfter: number | null;

  constructor(status: number, message: string, code?: string, details: FieldError[] = [], retryAfter?: number | null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter ?? null;
  }
}

/** Status 0 marks a request that never got an answer (server down, network gone). */
export const NETWORK_ERROR_STATUS = 0;

/** A query; a list is sent as the parameter repeated (`tag=a&tag=b`). */
type Query = Record<string, string | number | boolean | readonly string[] | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /**
   * A 401 here is an answer, not a lost session (sign-in, "who am I"): the auth failure handler
   * is not called.
   */
  authProbe?: boolean;
}

export type AuthFailureHandler = (status: 401 | 403, error: ApiError) => void;

/** Methods that change something: the server wants the session's CSRF token with them. */
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const CSRF_HEADER = "x-csrf-token";

let baseUrl = "";
let onAuthFailure: AuthFailureHandler | null = null;
// In memory only: a token in storage would outlive the session and be readable by any script.
let csrfToken: string | null = null;

/** Where the API lives; empty means the page's own origin (the server serves the dashboard). */
export function setApiBaseUrl(url: string): void {
  baseUrl = url.replace(/\/$/, "");
}

/**
 * Called on 401 (not signed in: show the login page) and 403 (signed in but not allowed: the
 * role may have changed) from any request that is not an auth probe.
 */
export function setAuthFailureHandler(handler: AuthFailureHandler | null): void {
  onAuthFailure = handler;
}

/** The session's CSRF token (from sign-in or /api/auth/me), sent with every write; null forgets it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ""}`;
}

export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(method, path, options);
  if (response.status === 403 && WRITE_METHODS.has(method.toUpperCase())) {
    // The session changed under us (signed in again in another tab): fetch its token, try once more.
    const error = await toApiError(response.clone());
    if (error.code === "CSRF_TOKEN_INVALID" && (await refreshCsrfToken())) response = await send(method, path, options);
  }
  if (!response.ok) {
    const error = await toApiError(response);
    const status = response.status;
    if ((status === 401 && !options.authProbe) || status === 403) onAuthFailure?.(status, error);
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  const init: RequestInit = { method, headers, signal: options.signal, credentials: "same-origin" };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (csrfToken && WRITE_METHODS.has(method.toUpperCase())) headers[CSRF_HEADER] = csrfToken;
  try {
    return await fetch(apiUrl(path, options.query), init);
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(NETWORK_ERROR_STATUS, (err as Error).message, "NETWORK");
  }
}

/** Asks the server for the current session's CSRF token; true when a new one was stored. */
async function refreshCsrfToken(): Promise<boolean> {
  try {
    const response = await send("GET", "/api/auth/me", {});
    if (!response.ok) return false;
    const me = (await response.json()) as { csrfToken?: unknown };
    if (typeof me.csrfToken !== "string" || me.csrfToken === csrfToken) return false;
    csrfToken = me.csrfToken;
    return true;
  } catch {
    return false;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (body && typeof body === "object") {
    const b = body as { message?: unknown; code?: unknown; details?: unknown };
    const message = typeof b.message === "string" && b.message ? b.message : response.statusText;
    const code = typeof b.code === "string" ? b.code : undefined;
    return new ApiError(response.status, message, code, parseDetails(b.details), retryAfterOf(response));
  }
  return new ApiError(
    response.status,
    text.slice(0, 200) || response.statusText || `HTTP ${response.status}`,
    undefined,
    [],
    retryAfterOf(response),
  );
}

/** Retry-After in seconds (either form the header allows), or null. */
function retryAfterOf(response: Response): number | null {
  const value = response.headers.get("retry-after");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function parseDetails(details: unknown): FieldError[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d) => {
    if (!d || typeof d !== "object" || typeof d.field !== "string") return [];
    const detail: FieldError = { field: d.field, message: typeof d.message === "string" ? d.message : "" };
    if (typeof d.code === "string") detail.code = d.code;
    if (d.params && typeof d.params === "object") {
      detail.params = Object.fromEntries(
        Object.entries(d.params as Record<string, unknown>).filter(
          (entry): entry is [string, string | number] => typeof entry[1] === "string" || typeof entry[1] === "number",
        ),
      );
    }
    return [detail];
  });
}

/** A Server-Sent Events connection to an API path (same base URL and cookies as requests). */
export function apiEventSource(path: string): EventSource {
  return new EventSource(apiUrl(path), { withCredentials: baseUrl !== "" });
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => apiRequest<T>("GET", path, { query, signal }),
  post: <T>(path: string, body?: unknown, query?: Query) => apiRequest<T>("POST", path, { body, query }),
  put: <T>(path: string, body: unknown) => apiRequest<T>("PUT", path, { body }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>("PATCH", path, { body }),
  delete: (path: string) => apiRequest<void>("DELETE", path),
};

/**
 * Groups `details` by the form field they belong to: `notifyEmails[1]` and `httpHeaders.X-Y`
 * belong to `notifyEmails` and `httpHeaders`; a leading `/` or `body.` (JSON pointer or Fastify
 * style) is tolerated.
 */
export function fieldErrorsFrom(
  details: readonly FieldError[],
  say: (detail: FieldError) => string = (d) => d.message,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const detail of details) {
    const { field } = detail;
    const message = say(detail);
    const path = field.replace(/^\/|^body[./]/, "").trim();
    const key = path.replace(/[[./].*$/, "");
    if (!key) continue;
    // Keep which item was wrong ("[1]: not an email address") when the field names one.
    const item = path.slice(key.length).replace(/^\./, "");
    const text = item ? `${item}: ${message}` : message;
    out[key] = out[key] ? `${out[key]}; ${text}` : text;
  }
  return out;
}

import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./openapi.gen.ts";

// A typed Crondeck API client: openapi-fetch over the types openapi-typescript generates from the
// app's own OpenAPI document (src/openapi.gen.ts, kept current by `generate` and its test).

export type { components, operations, paths } from "./openapi.gen.ts";
export type * from "./types.ts";

export type CrondeckClient = Client<paths>;

/** The body of every error answer: a machine-readable code and, for bad input, one entry per field. */
export type ApiErrorBody = components["schemas"]["Error"];

export interface ClientOptions {
  /** Where Crondeck answers, e.g. http://127.0.0.1:3000 (the API's paths start with /api). */
  baseUrl: string;
  /** An API token (Authorization: Bearer); a browser on the dashboard's origin uses its session cookie instead. */
  token?: string;
  /** Headers sent with every request (the dashboard sends its CSRF token this way). */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

export function createCrondeckClient(options: ClientOptions): CrondeckClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An error answer's text, with each field error on its own line (`field: message`). */
export function describeApiError(error: ApiErrorBody | undefined, status: number): string {
  if (!error || typeof error !== "object") return `the server answered ${status}`;
  const lines = [`${error.message ?? error.error ?? "error"} (${status}${error.code ? ` ${error.code}` : ""})`];
  if (error.details && error.details.length > 1)
    for (const d of error.details) lines.push(`  ${d.field}: ${d.message}`);
  return lines.join("\n");
}

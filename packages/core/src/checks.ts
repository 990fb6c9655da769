import type { FieldErrorCode } from "./field-errors.ts";

// Checks of text that several modules apply to what they are given (a task's name, a URL the
// platform will call, an address it will write to).

/** C0 controls (NUL, TAB, LF, CR, ESC…), DEL and C1 controls. */
export const CONTROL = /\p{Cc}/u;
/** Half a surrogate pair: not text; MySQL would store it as "?". */
export const LONE_SURROGATE = /\p{Cs}/u;

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;

export function isEmailAddress(value: string): boolean {
  return EMAIL.test(value) && !CONTROL.test(value);
}

export const CREDENTIALS_IN_URL =
  "must not contain a user name or password (user:password@host): every viewer would see them";

/**
 * Why a URL Crondeck will call is refused, or null. The URL parser would silently drop tabs and
 * line breaks, so the URL called would not be the one shown; credentials in it would be shown to
 * every viewer (and undici does not turn them into an Authorization header).
 */
export function httpUrlProblem(
  value: string,
  notUrl: string,
  credentials: string,
): { message: string; code: FieldErrorCode } | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { message: notUrl, code: "HTTP_URL" };
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname.length === 0)
    return { message: notUrl, code: "HTTP_URL" };
  if (CONTROL.test(value))
    return { message: "must not contain control characters (tabs, line breaks, NUL…)", code: "CONTROL_CHARS" };
  if (url.username !== "" || url.password !== "") return { message: credentials, code: "URL_CREDENTIALS" };
  return null;
}

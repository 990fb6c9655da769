export const LOGIN_PATH = "/login";

/**
 * Where to go after signing in: the `next` the login page was opened with, when it is a path on
 * this site. Anything else (another origin, `//evil`, `/\evil`, a URL with a scheme) becomes `/`,
 * so a crafted login link cannot send a user elsewhere.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  try {
    const url = new URL(next, "http://crondeck.invalid");
    if (url.origin !== "http://crondeck.invalid" || url.pathname === LOGIN_PATH) return "/";
    // Dot segments can collapse into a leading `//` ("/..//evil.example" → "//evil.example"),
    // which a browser reads as another host: check the path as it will be used.
    if (url.pathname.startsWith("//") || url.pathname.startsWith("/\\")) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}

/** The login page's address, remembering where the user was. */
export function loginPath(from: string): string {
  const next = safeNextPath(from);
  return next === "/" ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}

import type { Browser, BrowserContext, Page } from "playwright-core";

// Signing in for the browser tests: through the login page for the browser, and through the
// API (session cookie + CSRF token, then an API token) for setting data up.

export interface Credentials {
  username: string;
  password: string;
}

/** The first admin the e2e server is started with (ADMIN_USER / ADMIN_PASSWORD). */
export const ADMIN: Credentials = { username: "e2e-admin", password: "e2e-admin-password-0001" };

/**
 * Opens `path` and signs in on the login page it is sent to, as a person would; waits until the
 * app shows the signed-in user. Uses ids, not labels, so it works in either language.
 */
export async function signIn(page: Page, baseUrl: string, who: Credentials = ADMIN, path = "/"): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.locator("#login-username").fill(who.username);
  await page.locator("#login-password").fill(who.password);
  await page.locator(".login-form button[type=submit]").click();
  await page.getByTestId("user-menu").filter({ hasText: who.username }).waitFor();
}

/** A signed-in API session as the dashboard has one: the session cookie and its CSRF token. */
export interface ApiSession {
  cookie: string;
  csrfToken: string;
}

export async function apiSignIn(baseUrl: string, who: Credentials = ADMIN): Promise<ApiSession> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
  if (response.status !== 200)
    throw new Error(`signing in as ${who.username}: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] as string)
    .find((c) => c.startsWith("crondeck_session="));
  if (!cookie) throw new Error("the login answer set no crondeck_session cookie");
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

/** Creates an API token with a session (POST /api/tokens with cookie and CSRF header). */
export async function createApiToken(
  baseUrl: string,
  session: ApiSession,
  input: { name: string; role?: string; expiresInDays?: number },
): Promise<string> {
  const response = await fetch(`${baseUrl}/api/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: session.cookie, "x-csrf-token": session.csrfToken },
    body: JSON.stringify(input),
  });
  if (response.status !== 201) throw new Error(`creating a token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** A small JSON client for the API with a bearer token; throws unless the status is `expect`. */
export function apiWithToken(baseUrl: string, token: string) {
  return async function call<T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expect) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/**
 * A fresh browser context at the dashboard's reference size (1280×800), in `locale` (and a time
 * zone when given), with generous timeouts for a busy machine, signed in as `who`.
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  options: { locale: string; timezoneId?: string; who?: Credentials },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: options.locale,
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  await signIn(page, baseUrl, options.who);
  return { context, page };
}

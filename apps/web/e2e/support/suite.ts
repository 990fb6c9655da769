import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { apiSignIn, apiWithToken, type Credentials, createApiToken, signedInPage } from "./auth.ts";
import { launchChromium } from "./browser.ts";
import { screenshotDir } from "./screenshots.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./server.ts";

// The frame most browser suites share: a real server with the built dashboard, Chromium, an admin
// API client for setting data up, and per language a signed-in page.

export interface BrowserSuite {
  readonly server: RunningServer;
  readonly url: string;
  readonly browser: Browser;
  /** An admin API token's JSON client (see apiWithToken). */
  readonly api: ReturnType<typeof apiWithToken>;
  readonly token: string;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not ready: use it inside a test or hook`);
  return value;
}

/**
 * Starts the server (with `env`) and Chromium before the file's tests and stops both after them.
 * Register it first, so hooks registered later find it ready.
 */
export function browserSuite(options: { tokenName: string; env?: Record<string, string> }): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let token: string | undefined;
  let api: ReturnType<typeof apiWithToken> | undefined;
  beforeAll(async () => {
    assertDashboardBuilt();
    mkdirSync(screenshotDir, { recursive: true });
    [server, browser] = await Promise.all([startServer(options.env), launchChromium()]);
    token = await createApiToken(server.url, await apiSignIn(server.url), { name: options.tokenName });
    api = apiWithToken(server.url, token);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      return ready(server, "the server");
    },
    get url() {
      return ready(server, "the server").url;
    },
    get browser() {
      return ready(browser, "the browser");
    },
    get api() {
      return ready(api, "the API client");
    },
    get token() {
      return ready(token, "the API token");
    },
  };
}

export interface SignedInView {
  readonly context: BrowserContext;
  readonly page: Page;
}

/** In a describe block: a page signed in as `who` (the admin), in `locale`, for its tests; closed after them. */
export function signedInView(suite: BrowserSuite, locale: string, who?: Credentials): SignedInView {
  let view: { context: BrowserContext; page: Page } | undefined;
  beforeAll(async () => {
    view = await signedInPage(suite.browser, suite.url, { locale, ...(who ? { who } : {}) });
  });
  afterAll(async () => view?.context.close());
  return {
    get context() {
      return ready(view, "the page").context;
    },
    get page() {
      return ready(view, "the page").page;
    },
  };
}

/** Polls a run through the API until it has ended; returns it with its output. */
export async function waitForRunEnd(
  api: ReturnType<typeof apiWithToken>,
  runId: number,
): Promise<{ id: number; status: string; output: string }> {
  for (let i = 0; i < 600; i++) {
    const run = await api<{ id: number; status: string; output: string }>("GET", `/api/runs/${runId}`);
    if (!["QUEUED", "RUNNING"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not end within 60 s`);
}

import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, apiSignIn, apiWithToken, type Credentials, createApiToken, signIn } from "./support/auth.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./support/server.ts";

// Signing in, roles, API tokens and untrusted text, in a real Chromium against the real server.
// Tests run in order: the admin creates the viewer the later tests sign in as.

const VIEWER: Credentials = { username: "vera", password: "vera-reads-only-0001" };

/**
 * Script and markup in every text field a task has. Each would set `window.__xss` (or open a
 * dialog) if it ever reached the DOM as HTML instead of text.
 */
const XSS = {
  shellName: `<script>window.__xss='name'</script>`,
  httpName: `<img src=x onerror="window.__xss='name2'">`,
  // No single quotes: the command wraps each line in them.
  shellCommandLines: [`<img src=x onerror="window.__xss=1;alert(1)">`, `<script>window.__xss=2</script>`],
  remark: `<img src=x onerror="window.__xss='remark'"> &lt;b&gt;not bold&lt;/b&gt;`,
  remark2: `"><svg onload="window.__xss='svg'"></svg>`,
  header: `<script>window.__xss='header'</script>`,
  body: `<img src=x onerror="window.__xss='body'"><script>window.__xss='body2'</script>`,
  email: `x'onmouseover='window.__xss=1'@example.com`,
  // The second one matches the output, so the run page lists it as a matched keyword too.
  keywords: [`<b onmouseover="window.__xss='kw'">kw</b>`, `<script>window.__xss=2</script>`],
  webhookPath: `/hook?x="><script>window.__xss='hook'</script>`,
};
const shellCommand = `printf '%s\\n' ${XSS.shellCommandLines.map((line) => `'${line}'`).join(" ")}`;

/** A real endpoint for the HTTP task: answers with the body it was sent. */
async function startEcho(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("security in the browser", () => {
  let server: RunningServer;
  let browser: Browser;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let admin: Page;
  let api: ReturnType<typeof apiWithToken>;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    context.setDefaultTimeout(30_000);
    contexts.push(context);
    return context.newPage();
  }
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    assertDashboardBuilt();
    mkdirSync(screenshotDir, { recursive: true });
    [server, echo, browser] = await Promise.all([startServer(), startEcho(), launchChromium()]);
    // Set-up data goes in through the API with an admin token made from a session, as a script would.
    const token = await createApiToken(server.url, await apiSignIn(server.url), { name: "e2e setup" });
    api = apiWithToken(server.url, token);
    admin = await newPage();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => echo?.server.close(resolve));
  });

  it("sends a visitor to the login page, refuses a wrong password, and returns to the page asked for", async () => {
    await admin.goto(`${server.url}/tasks?q=report`);
    await admin.waitForURL(/\/login\?next=%2Ftasks%3Fq%3Dreport$/);
    await admin.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(await admin.getByRole("navigation", { name: "Main navigation" }).count()).toBe(0);
    await shot(admin, "login");

    await admin.getByLabel("User name", { exact: true }).fill(ADMIN.username);
    await admin.getByLabel("Password", { exact: true }).fill("not the password");
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.getByRole("alert").filter({ hasText: "Wrong user name or password." }).waitFor();
    expect(await admin.getByLabel("Password", { exact: true }).inputValue()).toBe("");

    await admin.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.waitForURL(`${server.url}/tasks?q=report`);
    await admin.getByRole("heading", { level: 1, name: "Tasks" }).waitFor();
    expect(await admin.getByTestId("user-menu").textContent()).toContain(ADMIN.username);
    expect(await admin.getByTestId("user-role").textContent()).toBe("Admin");
    // The session cookie is out of reach of scripts.
    expect(await admin.evaluate(() => document.cookie)).not.toContain("crondeck_session");
  });

  it("an admin creates a viewer on the Users page", async () => {
    await admin.goto(`${server.url}/users`);
    await admin.getByTestId("users-table").waitFor();
    await admin.getByRole("button", { name: "+ New user" }).click();
    const dialog = admin.getByRole("dialog", { name: "New user" });
    await dialog.getByLabel("User name").fill(VIEWER.username);
    await dialog.getByLabel("Password").fill("too short");
    await dialog.getByLabel("Role").selectOption("viewer");
    await dialog.getByRole("button", { name: "Create user" }).click();
    await dialog.getByText("Must be at least 12 characters").waitFor();
    await dialog.getByLabel("Password").fill(VIEWER.password);
    await dialog.getByRole("button", { name: "Create user" }).click();
    await dialog.waitFor({ state: "detached" });

    const row = admin.getByTestId(`user-row-${VIEWER.username}`);
    await row.waitFor();
    expect(await row.getByRole("combobox", { name: `Role of ${VIEWER.username}` }).inputValue()).toBe("viewer");
    const users = await api<{ username: string; role: string }[]>("GET", "/api/users");
    expect(users.find((u) => u.username === VIEWER.username)?.role).toBe("viewer");
    await shot(admin, "users");
  });

  it("a viewer sees tasks and runs but no Run, Edit, Delete or New buttons", async () => {
    const { id } = await api<{ id: number }>(
      "POST",
      "/api/tasks",
      { name: "viewer-visible", mode: "SHELL", cron: "0 1 * * *", command: "sleep 60", timeoutSeconds: 120 },
      201,
    );
    const { runId } = await api<{ runId: number }>("POST", `/api/tasks/${id}/run`, undefined, 202);

    const viewer = await newPage();
    await signIn(viewer, server.url, VIEWER, "/tasks");
    expect(await viewer.getByTestId("user-role").textContent()).toBe("Viewer");
    const row = viewer.getByTestId(`task-row-${id}`);
    await row.waitFor();
    expect(await row.getByRole("switch").isDisabled()).toBe(true);
    for (const name of [/^Run .* now$/, /^Edit /, /^Delete /]) {
      expect(await viewer.getByRole("button", { name }).count(), String(name)).toBe(0);
      expect(await viewer.getByRole("link", { name }).count(), String(name)).toBe(0);
    }
    expect(await viewer.getByRole("link", { name: "+ New task" }).count()).toBe(0);
    const nav = viewer.getByRole("navigation", { name: "Main navigation" });
    expect(await nav.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    await shot(viewer, "viewer-tasks");

    await row.getByTestId("task-link").click();
    await viewer.getByTestId("task-title").filter({ hasText: "viewer-visible" }).waitFor();
    for (const name of ["Run now", "Edit", "Delete"]) {
      expect(await viewer.getByRole("button", { name, exact: true }).count(), name).toBe(0);
      expect(await viewer.getByRole("link", { name, exact: true }).count(), name).toBe(0);
    }
    expect(await viewer.getByRole("switch").isDisabled()).toBe(true);

    await viewer.goto(`${server.url}/runs/${runId}`);
    await viewer.getByTestId("run-status").locator('[data-status="RUNNING"]').waitFor({ timeout: 60_000 });
    expect(await viewer.getByRole("button", { name: "Cancel run" }).count()).toBe(0);

    // Pages for stronger roles say so, and the viewer stays signed in.
    for (const path of ["/users", "/audit", `/tasks/${id}/edit`, "/tasks/new"]) {
      await viewer.goto(`${server.url}${path}`);
      await viewer.getByTestId("forbidden").filter({ hasText: "needs the Admin role" }).waitFor();
      expect(await viewer.getByTestId("user-menu").textContent(), path).toContain(VIEWER.username);
    }
    await api("POST", `/api/runs/${runId}/cancel`, undefined, 200).catch(() => {});
  });

  it("creates an API token, shows it once with a copy button, and revokes it", async () => {
    await admin.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await admin.goto(`${server.url}/tokens`);
    await admin.getByRole("heading", { level: 1, name: "API tokens" }).waitFor();
    await admin.getByRole("button", { name: "+ New token" }).click();
    const form = admin.getByRole("dialog", { name: "New API token" });
    await form.getByLabel("Name").fill("ci-deploy");
    await form.getByLabel("Role").selectOption("operator");
    await form.getByLabel("Expires").selectOption("30");
    await form.getByRole("button", { name: "Create token" }).click();

    const shown = admin.getByRole("dialog", { name: "Copy the token “ci-deploy” now" });
    await shown.waitFor();
    expect(await shown.getByTestId("token-warning").textContent()).toContain("only time the token is shown");
    const token = await shown.getByTestId("new-token").inputValue();
    expect(token).toMatch(/^cdk_\S{20,}$/);
    await shown.getByTestId("new-token-copy").click();
    await shown.getByText("Copied to the clipboard.").waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await shot(admin, "token-created");

    // It works as a bearer token, with the role it was given.
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe("operator");

    await shown.getByRole("button", { name: "Done, I have copied it" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await admin.content()).not.toContain(token);
    await admin.reload();
    const row = admin.getByTestId("tokens-table").getByRole("row").filter({ hasText: "ci-deploy" });
    await row.waitFor();
    expect(await row.textContent()).toContain(token.slice(0, 10));
    expect(await admin.content()).not.toContain(token);
    await shot(admin, "tokens");

    await row.getByRole("button", { name: "Revoke ci-deploy" }).click();
    await admin.getByRole("dialog", { name: "Revoke this token?" }).getByRole("button", { name: "Revoke" }).click();
    await row.getByTestId("token-state").filter({ hasText: "Revoked" }).waitFor();
    const refused = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
  });

  it("shows script and HTML in every task field as inert text on the list, detail, run and audit pages", async () => {
    const shell = await api<{ id: number }>(
      "POST",
      "/api/tasks",
      {
        name: XSS.shellName,
        mode: "SHELL",
        cron: "0 2 * * *",
        command: shellCommand,
        remark: XSS.remark,
        notifyPolicy: "ON_KEYWORD",
        notifyChannel: "EMAIL",
        notifyEmails: [XSS.email],
        notifyKeywords: XSS.keywords,
      },
      201,
    );
    const http = await api<{ id: number }>(
      "POST",
      "/api/tasks",
      {
        name: XSS.httpName,
        mode: "HTTP",
        httpMethod: "POST",
        cron: "0 3 * * *",
        command: `${echo.url}/echo`,
        httpHeaders: { "X-Payload": XSS.header },
        httpBody: XSS.body,
        remark: XSS.remark2,
        notifyPolicy: "ON_FAILURE",
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: `http://127.0.0.1:9${XSS.webhookPath}`,
      },
      201,
    );

    const dialogs: string[] = [];
    admin.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    /** Nothing ran, and no element or handler from the payloads made it into the page. */
    const assertInert = async (where: string) => {
      expect(await admin.evaluate(() => (window as { __xss?: unknown }).__xss), where).toBeUndefined();
      expect(dialogs, where).toEqual([]);
      const injected = await admin.evaluate(
        () =>
          document.querySelectorAll(
            "#root img, #root script, #root iframe, #root [onerror], #root [onload], #root [onmouseover]",
          ).length,
      );
      expect(injected, where).toBe(0);
    };

    await admin.goto(`${server.url}/tasks`);
    const shellRow = admin.getByTestId(`task-row-${shell.id}`);
    const httpRow = admin.getByTestId(`task-row-${http.id}`);
    await shellRow.waitFor();
    expect(await shellRow.getByTestId("task-link").textContent()).toBe(XSS.shellName);
    expect(await httpRow.getByTestId("task-link").textContent()).toBe(XSS.httpName);
    expect(await shellRow.locator(".cell-sub").textContent()).toBe(XSS.remark);
    expect(await httpRow.locator(".cell-sub").textContent()).toBe(XSS.remark2);
    await assertInert("tasks list");

    await admin.goto(`${server.url}/tasks/${shell.id}`);
    expect(await admin.getByTestId("task-title").textContent()).toBe(XSS.shellName);
    const shellSettings = (await admin.getByTestId("task-settings").textContent()) ?? "";
    for (const text of [shellCommand, XSS.remark, XSS.email, ...XSS.keywords]) expect(shellSettings).toContain(text);
    await assertInert("SHELL task page");

    await admin.goto(`${server.url}/tasks/${http.id}`);
    expect(await admin.getByTestId("task-title").textContent()).toBe(XSS.httpName);
    const httpSettings = (await admin.getByTestId("task-settings").textContent()) ?? "";
    for (const text of [`X-Payload: ${XSS.header}`, XSS.body, XSS.remark2, XSS.webhookPath])
      expect(httpSettings).toContain(text);
    await assertInert("HTTP task page");

    // Run both from the browser: the output (the payload lines, the echoed body) is shown as text.
    for (const [task, expected] of [
      [shell, XSS.shellCommandLines.join("\n")],
      [http, XSS.body],
    ] as const) {
      await admin.goto(`${server.url}/tasks/${task.id}`);
      await admin.getByRole("button", { name: "Run now", exact: true }).click();
      await admin.waitForURL(/\/runs\/\d+$/);
      await admin.getByTestId("run-status").locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
      await admin.getByTestId("run-output").waitFor();
      expect((await admin.getByTestId("run-output").textContent())?.trim()).toBe(expected);
      expect(await admin.locator(".back-link").textContent()).toContain(task === shell ? XSS.shellName : XSS.httpName);
      if (task === shell) expect(await admin.locator(".facts").textContent()).toContain(XSS.keywords[1]);
      await assertInert(`run of task ${task.id}`);
    }
    await shot(admin, "run-untrusted-output");

    // The audit log shows what was stored, before/after as text.
    await admin.goto(`${server.url}/audit?taskId=${http.id}`);
    const created = admin
      .getByTestId("audit-table")
      .getByRole("row")
      .filter({ has: admin.locator('[data-action="task.create"]') });
    await created.locator("summary").click();
    const diff = (await created.getByTestId("audit-diff").textContent()) ?? "";
    expect(diff).toContain(`+ name: ${JSON.stringify(XSS.httpName)}`);
    expect(diff).toContain(JSON.stringify(XSS.body));
    await assertInert("audit log");

    // A failed sign-in records the name it claimed, which anyone can choose.
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: XSS.httpName, password: "x" }),
    });
    expect(login.status).toBe(401);
    await admin.goto(`${server.url}/audit`);
    const failed = admin
      .getByTestId("audit-table")
      .getByRole("row")
      .filter({ has: admin.locator('[data-action="auth.login_failed"]') });
    expect(await failed.getByRole("cell").nth(1).textContent()).toBe(XSS.httpName);
    await assertInert("audit log, failed sign-in");
    await admin
      .getByTestId("audit-table")
      .getByRole("row")
      .filter({ has: admin.locator('[data-action="task.create"]') })
      .filter({ hasText: `Task #${http.id}` })
      .locator("summary")
      .click();
    await shot(admin, "audit");
  });

  it("signing out ends the session: the app asks to sign in again", async () => {
    await admin.goto(`${server.url}/tasks`);
    await admin.getByRole("button", { name: "Sign out" }).click();
    await admin.waitForURL(`${server.url}/login`);
    await admin.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await admin.goto(`${server.url}/tasks`);
    await admin.waitForURL(/\/login\?next=%2Ftasks$/);
    const status = await admin.evaluate(async () => (await fetch("/api/tasks")).status);
    expect(status).toBe(401);
  });
});

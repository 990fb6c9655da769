import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, apiSignIn, apiWithToken, createApiToken, signIn } from "./support/auth.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./support/server.ts";

// The dashboard as a user sees it: the built app served by the real server (fresh SQLite file),
// driven through Chromium, signed in as the first admin. Tests run in order and share the tasks
// they create.

const SHELL_TASK = "nightly-report";
const HTTP_TASK = "ping-webhook";

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP endpoint for the HTTP task to call. */
async function startTarget(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { "content-type": "text/plain" }).end("pong from target");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("dashboard end to end", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let target: Awaited<ReturnType<typeof startTarget>>;
  let api: ReturnType<typeof apiWithToken>;

  const field = (label: string) => page.getByLabel(label, { exact: true });
  const taskRow = (name: string): Locator => page.getByTestId("tasks-table").getByRole("row").filter({ hasText: name });
  const createTask = (input: Record<string, unknown>) => api<{ id: number }>("POST", "/api/tasks", input, 201);
  const shot = (name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    assertDashboardBuilt();
    mkdirSync(screenshotDir, { recursive: true });
    [server, target, browser] = await Promise.all([startServer(), startTarget(), launchChromium()]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    const token = await createApiToken(server.url, await apiSignIn(server.url), { name: "e2e setup" });
    api = apiWithToken(server.url, token);
    await signIn(page, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => target?.server.close(resolve));
  });

  it("serves the dashboard at / with its navigation", async () => {
    await page.goto(server.url);
    await page.getByRole("navigation", { name: "Main navigation" }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
    expect(await page.getByTestId("user-menu").textContent()).toContain(ADMIN.username);
    expect(await page.getByTestId("user-role").textContent()).toBe("Admin");
  });

  it("creates a SHELL task through the form and lists it", async () => {
    await page.goto(`${server.url}/tasks/new`);
    await field("Name").fill(SHELL_TASK);
    await field("Command").fill("echo hello-from-e2e; echo second line");
    await field("Cron expression").fill("0 3 * * *");
    await field("Time zone").fill("Asia/Shanghai");
    const description = page.getByTestId("cron-description");
    await description.waitFor();
    expect(await description.textContent()).toMatch(/03:00/);
    expect(await page.getByTestId("cron-next-runs").getByRole("listitem").count()).toBe(5);
    await shot("task-form");

    await page.getByRole("button", { name: "Create task" }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    expect(await page.getByTestId("task-title").textContent()).toBe(SHELL_TASK);

    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Tasks" }).click();
    await taskRow(SHELL_TASK).waitFor();
    expect(await taskRow(SHELL_TASK).getByTestId("next-run").locator("time").count()).toBe(1);
  });

  it("runs the SHELL task now and shows SUCCEEDED with its output", async () => {
    await page.goto(`${server.url}/tasks`);
    await page.getByRole("button", { name: `Run ${SHELL_TASK} now` }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByTestId("run-status").locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
    await page.getByTestId("run-output").filter({ hasText: "hello-from-e2e" }).waitFor();
    expect(await page.getByTestId("run-output").textContent()).toContain("second line");
    await shot("run-detail");

    // The task's history links to the run.
    await page.getByRole("link", { name: SHELL_TASK }).click();
    await page.getByTestId("runs-table").locator('[data-status="SUCCEEDED"]').first().waitFor();
  });

  it("streams a running task's output live, then shows the final result", async () => {
    const gate = join(mkdtempSync(join(tmpdir(), "crondeck-gate-")), "go");
    const { id } = await createTask({
      name: "live-output",
      mode: "SHELL",
      cron: "0 5 * * *",
      // Waits for the test to open the gate, so "still running" does not depend on timing.
      command: `echo first-chunk; while [ ! -f ${gate} ]; do sleep 0.2; done; echo last-chunk`,
      timeoutSeconds: 120,
    });
    await page.goto(`${server.url}/tasks/${id}`);
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByTestId("live-indicator").waitFor();
    await page.getByTestId("run-output").filter({ hasText: "first-chunk" }).waitFor();
    expect(await page.getByTestId("run-status").locator('[data-status="RUNNING"]').count()).toBe(1);
    expect(await page.getByTestId("run-output").textContent()).not.toContain("last-chunk");

    writeFileSync(gate, "");
    await page.getByTestId("run-output").filter({ hasText: "last-chunk" }).waitFor({ timeout: 60_000 });
    await page.getByTestId("run-status").locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
    await page.getByTestId("live-indicator").waitFor({ state: "detached" });
    expect((await page.getByTestId("run-output").textContent())?.match(/first-chunk/g)).toHaveLength(1);
  });

  it("marks where the server skipped live output this connection could not keep up with", async () => {
    const { id } = await createTask({ name: "gap-marker", mode: "SHELL", cron: "0 7 * * *", command: "sleep 60" });
    const { runId } = await api<{ runId: number }>("POST", `/api/tasks/${id}/run`, undefined, 202);
    // A browser on this machine never reads too slowly, so the stream is served as the server
    // sends it to one that does (apps/server/test/sse-backpressure.test.ts proves the server side).
    const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    const stream = new RegExp(`/api/runs/${runId}/stream$`);
    await page.route(stream, (route) =>
      route.fulfill({
        status: 200,
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        body: [
          "retry: 600000\n\n",
          event("output", { text: "oldest line\n" }),
          event("gap", { skippedBytes: 5 * 1024 * 1024 }),
          event("output", { text: "newest line\n" }),
        ].join(""),
      }),
    );
    await page.goto(`${server.url}/runs/${runId}`);
    await page.getByTestId("run-output").filter({ hasText: "newest line" }).waitFor();
    expect(await page.getByTestId("run-output").textContent()).toBe(
      "oldest line\n[… 5 MiB of output skipped here: this connection could not keep up with the run …]\nnewest line\n",
    );
    await page.unroute(stream);

    // Leave the task count as the later tests expect it.
    await api("POST", `/api/runs/${runId}/cancel`, undefined, 202);
    const deadline = Date.now() + 60_000;
    while ((await api<{ status: string }>("GET", `/api/runs/${runId}`)).status !== "CANCELED") {
      if (Date.now() > deadline) throw new Error(`run ${runId} was never canceled`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await api("DELETE", `/api/tasks/${id}`, undefined, 204);
  });

  it("cancels a running run after confirmation", async () => {
    const { id } = await createTask({ name: "sleeper", mode: "SHELL", cron: "0 6 * * *", command: "sleep 120" });
    await page.goto(`${server.url}/tasks/${id}`);
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByTestId("run-status").locator('[data-status="RUNNING"]').waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Cancel run" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this run?" });
    await dialog.getByRole("button", { name: "Stop it" }).click();
    await page.getByTestId("run-status").locator('[data-status="CANCELED"]').waitFor({ timeout: 60_000 });
    expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
  });

  it("creates an HTTP POST task and the target receives its body", async () => {
    await page.goto(`${server.url}/tasks/new`);
    await field("Name").fill(HTTP_TASK);
    await field("Mode").selectOption("HTTP");
    await field("HTTP method").selectOption("POST");
    await field("URL").fill(`${target.url}/hook`);
    await field("Headers").fill("Content-Type: application/json\nX-E2E: yes");
    await field("Request body").fill('{"ping":"e2e"}');
    await field("Cron expression").fill("0 4 * * *");
    await page.getByRole("button", { name: "Create task" }).click();
    await page.waitForURL(/\/tasks\/\d+$/);

    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await until(() => target.received.length > 0, "the HTTP task to call the target");
    const request = target.received[0] as Received;
    expect(request).toMatchObject({ method: "POST", url: "/hook", body: '{"ping":"e2e"}' });
    expect(request.headers["x-e2e"]).toBe("yes");
    expect(request.headers["content-type"]).toBe("application/json");
    await page.getByTestId("run-status").locator('[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
    await page.getByTestId("run-output").filter({ hasText: "pong from target" }).waitFor();
  });

  it("edits a task: the form comes back filled in, and the change is saved", async () => {
    await page.goto(`${server.url}/tasks`);
    await page.getByRole("link", { name: `Edit ${HTTP_TASK}` }).click();
    await page.waitForURL(/\/tasks\/\d+\/edit$/);
    expect(await field("Headers").inputValue()).toBe("Content-Type: application/json\nX-E2E: yes");
    expect(await field("Request body").inputValue()).toBe('{"ping":"e2e"}');
    expect(await field("HTTP method").inputValue()).toBe("POST");
    await field("Cron expression").fill("30 4 * * 1-5");
    await field("Remark").fill("weekdays only");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    const settings = page.getByTestId("task-settings");
    await settings.getByText("30 4 * * 1-5").waitFor();
    expect(await settings.textContent()).toContain("weekdays only");
  });

  it("sends a test notification to a webhook from the form", async () => {
    await page.goto(`${server.url}/tasks/new`);
    await field("Name").fill("nightly export");
    await field("Notify").selectOption("ON_FAILURE");
    await field("Channel").selectOption("WEBHOOK");
    await field("Webhook URL").fill(`${target.url}/notify`);
    await field("Message language").selectOption("zh");
    await page.getByRole("button", { name: "Send test notification" }).click();
    await page.getByTestId("notify-test").getByRole("status").filter({ hasText: "Test message sent" }).waitFor();
    const message = target.received.find((r) => r.url === "/notify");
    expect(message?.method).toBe("POST");
    // A message about the task being edited, in the language chosen, marked as a test.
    const body = JSON.parse(message?.body ?? "");
    expect(body).toMatchObject({ test: true, language: "zh", task: { name: "nightly export" } });
    expect(body.message.title).toBe("[Crondeck] nightly export 的测试消息");
  });

  it("shows the server's error at the cron field for a bad expression", async () => {
    await page.goto(`${server.url}/tasks/new`);
    await field("Name").fill("bad cron");
    await field("Command").fill("true");
    await field("Cron expression").fill("61 * * * *");
    await page.getByTestId("cron-preview-error").waitFor();
    // Keyboard only: Enter in a text field submits the form.
    await field("Cron expression").press("Enter");
    const error = page.getByTestId("error-task-cron");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/cron/i);
    expect(await field("Cron expression").getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("task-cron");
    expect(new URL(page.url()).pathname).toBe("/tasks/new");
  });

  it("disabling a task removes its next run, and it stays disabled after a reload", async () => {
    await page.goto(`${server.url}/tasks`);
    const row = taskRow(SHELL_TASK);
    await row.getByTestId("next-run").locator("time").waitFor();
    const toggle = row.getByRole("switch");
    expect(await toggle.getAttribute("aria-checked")).toBe("true");
    await toggle.click();
    await row.getByTestId("next-run").locator("time").waitFor({ state: "detached" });
    expect(await toggle.getAttribute("aria-checked")).toBe("false");

    await page.reload();
    await taskRow(SHELL_TASK).waitFor();
    expect(await taskRow(SHELL_TASK).getByRole("switch").getAttribute("aria-checked")).toBe("false");
    expect(await taskRow(SHELL_TASK).getByTestId("next-run").locator("time").count()).toBe(0);
    expect(await taskRow(HTTP_TASK).getByTestId("next-run").locator("time").count()).toBe(1);
    await shot("tasks-list");
  });

  it("switches to Chinese, remembers it across a reload, and back to English", async () => {
    await page.goto(`${server.url}/tasks`);
    await page.getByTestId("lang-switch").click();
    await page.getByRole("navigation", { name: "主导航" }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("任务");
    expect(await page.getByRole("button", { name: `立即执行 ${HTTP_TASK}` }).count()).toBe(1);

    await page.reload();
    await page.getByRole("navigation", { name: "主导航" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { level: 1, name: "概览" }).waitFor();
    await shot("overview-zh");

    await page.getByTestId("lang-switch").click();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("crondeck.lang"))).toBe("en");
  });

  it("shows the overview", async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    // Four tasks so far, one of them disabled.
    await page.getByTestId("stat-tasks").locator(".stat-value").filter({ hasText: /^4$/ }).waitFor();
    expect(await page.getByTestId("stat-tasks").textContent()).toContain("3 enabled");
    await page.getByTestId("upcoming").getByRole("link", { name: HTTP_TASK }).waitFor();
    await shot("overview");
    // The charts need GET /api/stats.
    await page.getByTestId("chart-24h").waitFor();
    await page.getByTestId("chart-7d").waitFor();
    await shot("overview");
  });

  it("stays usable in a 400 px wide window", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await page.goto(`${server.url}/tasks`);
    await taskRow(HTTP_TASK).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Overview" }).isVisible();
    await shot("tasks-narrow");
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

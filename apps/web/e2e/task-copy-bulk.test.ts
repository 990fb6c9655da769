import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiSignIn, apiWithToken, createApiToken, signedInPage } from "./support/auth.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./support/server.ts";

// Copying a task and acting on a selection in the task list (issue 15), in English and Chinese,
// against the built dashboard and the real server. The API checks what the page claims.

interface TaskJson {
  id: number;
  name: string;
  enabled: boolean;
}

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("copy and bulk actions in the dashboard", () => {
  let server: RunningServer;
  let browser: Browser;
  let api: ReturnType<typeof apiWithToken>;

  const createTask = (name: string, changes: Record<string, unknown> = {}) =>
    api<TaskJson>(
      "POST",
      "/api/tasks",
      { name, mode: "SHELL", cron: "0 0 1 1 *", command: "echo bulk", ...changes },
      201,
    );
  const getTask = (id: number) => api<TaskJson>("GET", `/api/tasks/${id}`);
  const exists = async (id: number) => {
    const res = await fetch(`${server.url}/api/tasks/${id}`, { headers: { authorization: `Bearer ${token}` } });
    return res.status === 200;
  };
  let token: string;

  const openPage = (locale: string) => signedInPage(browser, server.url, { locale });

  beforeAll(async () => {
    assertDashboardBuilt();
    mkdirSync(screenshotDir, { recursive: true });
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    token = await createApiToken(server.url, await apiSignIn(server.url), { name: "e2e copy/bulk" });
    api = apiWithToken(server.url, token);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  describe("in English", () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      ({ context, page } = await openPage("en-US"));
    });
    afterAll(async () => context?.close());

    it("copies a task from the list and from its page, each copy disabled and opened", async () => {
      const source = await createTask("copy-source");
      await page.goto(`${server.url}/tasks?q=copy-source`);
      await page.getByRole("button", { name: "Copy copy-source", exact: true }).click();
      await page.getByTestId("task-title").filter({ hasText: "copy-source (copy)" }).waitFor();
      const first = Number(page.url().match(/\/tasks\/(\d+)$/)?.[1]);
      expect(first).not.toBe(source.id);
      expect(await page.getByTestId("task-enabled").getAttribute("aria-checked")).toBe("false");
      expect(await getTask(first)).toMatchObject({ name: "copy-source (copy)", enabled: false });

      // The copy's own page copies it again.
      await page.getByRole("button", { name: "Copy", exact: true }).click();
      await page.getByTestId("task-title").filter({ hasText: "copy-source (copy) (copy)" }).waitFor();
      const second = Number(page.url().match(/\/tasks\/(\d+)$/)?.[1]);
      expect(await getTask(second)).toMatchObject({ name: "copy-source (copy) (copy)", enabled: false });
      // The original is untouched.
      expect(await getTask(source.id)).toMatchObject({ name: "copy-source", enabled: true });
    });

    it("disables, runs, reports a vanished task, and deletes a selection after a confirm naming how many", async () => {
      const tasks = await Promise.all(["bulk-en-a", "bulk-en-b", "bulk-en-c"].map((name) => createTask(name)));
      await page.goto(`${server.url}/tasks?q=bulk-en-&sort=name&order=asc`);
      await page.getByRole("row").filter({ hasText: "bulk-en-c" }).waitFor();
      expect(await page.getByTestId("bulk-bar").count()).toBe(0);

      await page.getByRole("checkbox", { name: "Select all tasks on this page" }).check();
      expect(await page.getByTestId("bulk-count").textContent()).toBe("3 selected");
      await page.getByTestId("bulk-bar").getByRole("button", { name: "Disable" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "Disabled: 3." }).waitFor();
      for (const task of tasks) expect((await getTask(task.id)).enabled).toBe(false);
      // Done: the selection is cleared and the switches show the new state.
      expect(await page.getByTestId("bulk-bar").count()).toBe(0);
      await page
        .getByRole("switch", { name: "Enable bulk-en-a" })
        .and(page.locator('[aria-checked="false"]'))
        .waitFor();

      await page.getByRole("checkbox", { name: "Select bulk-en-a" }).check();
      await page.getByRole("checkbox", { name: "Select bulk-en-b" }).check();
      expect(await page.getByTestId("bulk-count").textContent()).toBe("2 selected");
      await page.getByTestId("bulk-bar").getByRole("button", { name: "Run now" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "Runs started: 2." }).waitFor();
      for (const [i, task] of tasks.entries()) {
        const runs = await api<{ total: number }>("GET", `/api/tasks/${task.id}/runs`);
        expect(runs.total).toBe(i < 2 ? 1 : 0);
      }

      // A task deleted behind the page's back is reported by name; the others still change.
      await page.getByRole("checkbox", { name: "Select all tasks on this page" }).check();
      await api("DELETE", `/api/tasks/${tasks[2]?.id}`, undefined, 204);
      await page.getByTestId("bulk-bar").getByRole("button", { name: "Enable" }).click();
      await page
        .getByTestId("bulk-outcome")
        .filter({ hasText: "Enabled: 2. Failed: 1 — bulk-en-c: it no longer exists" })
        .waitFor();
      expect((await getTask(tasks[0]?.id as number)).enabled).toBe(true);
      await page.screenshot({ path: join(screenshotDir, "tasks-bulk.png"), fullPage: true });

      await page.getByRole("checkbox", { name: "Select all tasks on this page" }).check();
      expect(await page.getByTestId("bulk-count").textContent()).toBe("2 selected");
      await page.getByTestId("bulk-bar").getByRole("button", { name: "Delete" }).click();
      const dialog = page.getByRole("dialog", { name: "Delete 2 tasks?" });
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Delete 2 tasks" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "Deleted: 2." }).waitFor();
      for (const task of tasks) expect(await exists(task.id)).toBe(false);
    });
  });

  describe("in Chinese", () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      ({ context, page } = await openPage("zh-CN"));
    });
    afterAll(async () => context?.close());

    it("复制任务并打开副本", async () => {
      await createTask("zh-source");
      await page.goto(`${server.url}/tasks?q=zh-source`);
      await page.getByRole("button", { name: "复制 zh-source", exact: true }).click();
      await page.getByTestId("task-title").filter({ hasText: "zh-source (copy)" }).waitFor();
      expect(await page.getByTestId("task-enabled").getAttribute("aria-checked")).toBe("false");
      await page.getByRole("button", { name: "复制", exact: true }).waitFor();
    });

    it("批量停用并删除所选任务", async () => {
      const tasks = await Promise.all(["bulk-zh-a", "bulk-zh-b"].map((name) => createTask(name)));
      await page.goto(`${server.url}/tasks?q=bulk-zh-`);
      await page.getByRole("row").filter({ hasText: "bulk-zh-b" }).waitFor();
      await page.getByRole("checkbox", { name: "选择本页全部任务" }).check();
      expect(await page.getByTestId("bulk-count").textContent()).toBe("已选 2 项");
      await page.getByTestId("bulk-bar").getByRole("button", { name: "停用" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "已停用 2 个任务。" }).waitFor();
      for (const task of tasks) expect((await getTask(task.id)).enabled).toBe(false);

      await page.getByRole("checkbox", { name: "选择 bulk-zh-a" }).check();
      await page.getByRole("checkbox", { name: "选择 bulk-zh-b" }).check();
      await page.screenshot({ path: join(screenshotDir, "tasks-bulk-zh.png"), fullPage: true });
      await page.getByTestId("bulk-bar").getByRole("button", { name: "删除" }).click();
      const dialog = page.getByRole("dialog", { name: "删除 2 个任务？" });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain("将删除所选的 2 个任务");
      await dialog.getByRole("button", { name: "删除 2 个任务" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "已删除 2 个任务。" }).waitFor();
      for (const task of tasks) expect(await exists(task.id)).toBe(false);
    });
  });
});

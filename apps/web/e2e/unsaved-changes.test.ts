import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ADMIN } from "./support/auth.ts";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// The task form (issue 15): leaving with unsaved changes asks first (links, Cancel, Back), and a
// session that ends while editing sends the user to sign in with a clear message, then back to the
// form with what they had typed. In English and Chinese.

const hasChromium = chromiumAvailable();

interface TaskJson {
  id: number;
  name: string;
  remark: string;
}

describe.skipIf(!hasChromium)("unsaved changes on the task form", () => {
  const suite = browserSuite({ tokenName: "e2e unsaved" });
  const createTask = (name: string) =>
    suite.api<TaskJson>("POST", "/api/tasks", { name, mode: "SHELL", cron: "0 5 * * *", command: "true" }, 201);
  const getTask = (id: number) => suite.api<TaskJson>("GET", `/api/tasks/${id}`);

  /** Signs in again on the login page the app is showing. */
  async function signInAgain(page: Page) {
    await page.locator("#login-username").fill(ADMIN.username);
    await page.locator("#login-password").fill(ADMIN.password);
    await page.locator(".login-form button[type=submit]").click();
  }

  describe("in English", () => {
    const view = signedInView(suite, "en-US");

    const dialog = () => view.page.getByRole("dialog", { name: "Leave without saving?" });

    it("asks before a link, Cancel or Back takes the user away from unsaved changes", async () => {
      const { page } = view;
      const task = await createTask("unsaved-en");
      await page.goto(`${suite.url}/tasks/${task.id}/edit`);
      const remark = page.locator("#task-remark");
      await remark.waitFor();

      // Nothing changed: leaving does not ask.
      await page.getByRole("link", { name: "Tasks", exact: true }).click();
      await page.waitForURL(`${suite.url}/tasks`);
      // Into the form inside the app, so Back stays in the app too.
      await page.goto(`${suite.url}/tasks/${task.id}`);
      await page.getByRole("link", { name: "Edit", exact: true }).click();
      await page.waitForURL(`${suite.url}/tasks/${task.id}/edit`);
      await remark.fill("typed but not saved");

      await page.getByRole("link", { name: "Runs", exact: true }).click();
      await dialog().waitFor();
      expect(await dialog().textContent()).toContain("Your changes are not saved. If you leave now they are lost.");
      await page.screenshot({ path: join(screenshotDir, "task-form-leave.png") });
      await dialog().getByRole("button", { name: "Stay and keep editing" }).click();
      expect(await dialog().count()).toBe(0);
      expect(page.url()).toBe(`${suite.url}/tasks/${task.id}/edit`);
      expect(await remark.inputValue()).toBe("typed but not saved");

      // The Back button: the page stays and asks.
      await page.goBack();
      await dialog().waitFor();
      expect(new URL(page.url()).pathname).toBe(`/tasks/${task.id}/edit`);
      await dialog().getByRole("button", { name: "Stay and keep editing" }).click();
      expect(await remark.inputValue()).toBe("typed but not saved");

      await page.getByRole("button", { name: "Cancel" }).click();
      await dialog().getByRole("button", { name: "Leave without saving" }).click();
      await page.waitForURL(`${suite.url}/tasks/${task.id}`);
      expect((await getTask(task.id)).remark).toBe("");

      // Coming back starts from the saved task, not from the abandoned input.
      await page.goto(`${suite.url}/tasks/${task.id}/edit`);
      await remark.waitFor();
      expect(await remark.inputValue()).toBe("");
      expect(await page.getByTestId("draft-restored").count()).toBe(0);
    });

    it("keeps what was typed when the session ends before Save, and saves it after signing in again", async () => {
      const { page, context } = view;
      const task = await createTask("expired-en");
      await page.goto(`${suite.url}/tasks/${task.id}/edit`);
      await page.locator("#task-remark").fill("typed before the session ended");
      // The session ends (expired, or signed out elsewhere): the browser no longer has it.
      await context.clearCookies();
      await page.getByRole("button", { name: "Save changes" }).click();

      const expired = page.getByTestId("session-expired");
      await expired.waitFor();
      expect(await expired.textContent()).toBe("Your session has ended. Sign in again to continue where you were.");
      expect(new URL(page.url()).searchParams.get("next")).toBe(`/tasks/${task.id}/edit`);
      expect((await getTask(task.id)).remark).toBe("");

      await signInAgain(page);
      await page.waitForURL(`${suite.url}/tasks/${task.id}/edit`);
      const restored = page.getByTestId("draft-restored");
      await restored.waitFor();
      expect(await restored.textContent()).toContain("Your unsaved changes were restored");
      expect(await page.locator("#task-remark").inputValue()).toBe("typed before the session ended");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${suite.url}/tasks/${task.id}`);
      expect((await getTask(task.id)).remark).toBe("typed before the session ended");

      // Saved: nothing is restored any more.
      await page.goto(`${suite.url}/tasks/${task.id}/edit`);
      await page.locator("#task-remark").waitFor();
      expect(await page.getByTestId("draft-restored").count()).toBe(0);
    });
  });

  describe("in Chinese", () => {
    const view = signedInView(suite, "zh-CN");

    it("离开前询问；会话结束后恢复未保存的修改", async () => {
      const { page, context } = view;
      await page.goto(`${suite.url}/tasks/new`);
      await page.locator("#task-name").fill("新任务草稿");
      await page.locator("#task-command").fill("echo draft");
      await page.locator("#task-cron").fill("0 5 * * *");
      await page.getByRole("link", { name: "任务", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "不保存就离开？" });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain("你的修改尚未保存，现在离开将会丢失。");
      await dialog.getByRole("button", { name: "留下继续编辑" }).click();

      await context.clearCookies();
      await page.getByRole("button", { name: "创建任务" }).click();
      const expired = page.getByTestId("session-expired");
      await expired.waitFor();
      expect(await expired.textContent()).toBe("你的会话已结束。请重新登录，以回到刚才的页面。");
      await signInAgain(page);
      await page.waitForURL(`${suite.url}/tasks/new`);
      await page.getByTestId("draft-restored").filter({ hasText: "已恢复你未保存的修改" }).waitFor();
      expect(await page.locator("#task-name").inputValue()).toBe("新任务草稿");
      await page.screenshot({ path: join(screenshotDir, "task-form-restored-zh.png") });
      await page.getByRole("button", { name: "放弃这些修改" }).click();
      expect(await page.locator("#task-name").inputValue()).toBe("");
      // Nothing left to lose: leaving does not ask.
      await page.getByRole("link", { name: "任务", exact: true }).click();
      await page.waitForURL(`${suite.url}/tasks`);
    });
  });
});

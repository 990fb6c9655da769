import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// What the server refuses is said in the dashboard's language (issue 15): field errors and error
// codes are translated from their codes, so the Chinese UI shows none of the server's English.

const hasChromium = chromiumAvailable();
const ENGLISH_FROM_SERVER = /is not a valid cron expression:|already exists|Invalid|required when/;

describe.skipIf(!hasChromium)("server errors in the dashboard's language", () => {
  const suite = browserSuite({ tokenName: "e2e errors" });
  beforeAll(async () => {
    await suite.api(
      "POST",
      "/api/tasks",
      { name: "taken-name", mode: "SHELL", cron: "0 5 * * *", command: "true" },
      201,
    );
  });

  async function newTaskWith(page: Page, name: string, cron: string, save: string) {
    await page.goto(`${suite.url}/tasks/new`);
    await page.locator("#task-name").fill(name);
    await page.locator("#task-command").fill("echo hi");
    await page.locator("#task-cron").fill(cron);
    await page.getByRole("button", { name: save }).click();
  }

  describe("in Chinese", () => {
    const view = signedInView(suite, "zh-CN");

    it("一个无效的 cron 表达式和一个重名，都用中文说明", async () => {
      const { page } = view;
      await newTaskWith(page, "taken-name", "61 * * * *", "创建任务");
      const cronError = page.getByTestId("error-task-cron");
      await cronError.waitFor();
      expect(await cronError.textContent()).toBe(
        "不是有效的 cron 表达式（应为 5 个或 6 个字段，或 @hourly 之类的别名）",
      );
      const preview = page.getByTestId("cron-preview-error");
      await preview.waitFor();
      expect(await preview.textContent()).toBe(
        "无效的调度：不是有效的 cron 表达式（应为 5 个或 6 个字段，或 @hourly 之类的别名）",
      );

      await page.locator("#task-cron").fill("0 5 * * *");
      await page.getByRole("button", { name: "创建任务" }).click();
      const nameError = page.getByTestId("error-task-name").filter({ hasText: "已存在同名任务。" });
      await nameError.waitFor();
      const form = (await page.getByTestId("task-form").textContent()) ?? "";
      expect(form).not.toMatch(ENGLISH_FROM_SERVER);
    });
  });

  describe("in English", () => {
    const view = signedInView(suite, "en-US");

    it("says the same problems in English", async () => {
      const { page } = view;
      await newTaskWith(page, "taken-name", "61 * * * *", "Create task");
      await page
        .getByTestId("error-task-cron")
        .filter({ hasText: "is not a valid cron expression (5 or 6 fields, or a nickname such as @hourly)" })
        .waitFor();
      await page.locator("#task-cron").fill("0 5 * * *");
      await page.getByRole("button", { name: "Create task" }).click();
      await page.getByTestId("error-task-name").filter({ hasText: "A task with this name already exists." }).waitFor();
    });
  });
});

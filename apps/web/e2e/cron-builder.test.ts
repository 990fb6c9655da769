import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// A schedule built with the pickers, by keyboard, without typing any cron syntax: the expression is
// written into the field, previewed, saved with the task, and read back into the pickers on edit.

const hasChromium = chromiumAvailable();

const LABELS = {
  "en-US": {
    name: "Name",
    command: "Command",
    cron: "Cron expression",
    repeat: "Repeat",
    weekly: "Every week",
    at: "At",
    wed: "Wed",
    sat: "Sat",
    create: "Create task",
    custom: "Custom expression: edit it in the field above, or pick a repetition to replace it.",
  },
  "zh-CN": {
    name: "名称",
    command: "命令",
    cron: "Cron 表达式",
    repeat: "重复",
    weekly: "每周",
    at: "时间",
    wed: "周三",
    sat: "周六",
    create: "创建任务",
    custom: "自定义表达式：请在上方输入框中编辑，或选择一种重复方式来替换它。",
  },
} as const;

describe.skipIf(!hasChromium)("cron builder", () => {
  const suite = browserSuite({ tokenName: "e2e cron builder" });

  for (const locale of ["en-US", "zh-CN"] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);
      const l = LABELS[locale];

      it("builds a weekly schedule by keyboard and saves the task with it", async () => {
        const { page } = view;
        await page.goto(`${suite.url}/tasks/new`);
        await page.getByLabel(l.name, { exact: true }).fill(`built-${locale}`);
        await page.getByLabel(l.command, { exact: true }).fill("echo built");

        const builder = page.getByTestId("cron-builder");
        const repeat = builder.getByLabel(l.repeat, { exact: true });
        await repeat.focus();
        await repeat.selectOption({ label: l.weekly });
        const cron = page.getByLabel(l.cron, { exact: true });
        expect(await cron.inputValue()).toBe("0 9 * * 1-5");

        // Wednesday off, Saturday on, by keyboard: Tab to the box, Space toggles it.
        await builder.getByLabel(l.wed, { exact: true }).focus();
        await page.keyboard.press("Space");
        await builder.getByLabel(l.sat, { exact: true }).focus();
        await page.keyboard.press("Space");
        await builder.getByLabel(l.at, { exact: true }).fill("07:45");
        expect(await cron.inputValue()).toBe("45 7 * * 1,2,4-6");

        // The preview under the builder follows what the pickers wrote.
        await page.getByTestId("cron-next-runs").locator("li").first().waitFor();
        expect(await page.getByTestId("cron-next-runs").locator("li").count()).toBe(5);

        await page.getByRole("button", { name: l.create }).click();
        await page.waitForURL(/\/tasks\/\d+$/);
        const id = Number(page.url().match(/(\d+)$/)?.[1]);
        const task = await suite.api<{ cron: string }>("GET", `/api/tasks/${id}`);
        expect(task.cron).toBe("45 7 * * 1,2,4-6");

        // Editing reads the saved expression back into the pickers.
        await page.goto(`${suite.url}/tasks/${id}/edit`);
        await repeat.waitFor();
        expect(await repeat.inputValue()).toBe("weekly");
        expect(await builder.getByLabel(l.at, { exact: true }).inputValue()).toBe("07:45");
        expect(await builder.getByLabel(l.wed, { exact: true }).isChecked()).toBe(false);
        expect(await builder.getByLabel(l.sat, { exact: true }).isChecked()).toBe(true);

        // An expression the pickers cannot write is left alone and called custom.
        await cron.fill("0 9-17 * * 1-5");
        expect(await repeat.inputValue()).toBe("custom");
        expect(await builder.getByTestId("cron-builder-custom").textContent()).toBe(l.custom);
      });
    });
  }
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// A task's edit history on its page, against the real server: the versions an edit made, what one
// changed (a write-only secret changed, without its value), and reverting after a confirmation.

const hasChromium = chromiumAvailable();
const SECRET = "history-e2e-signing-secret-5d1c";

const WORDS = {
  "en-US": {
    history: "History",
    edited: "Edited",
    created: "Created",
    changes: "Changes",
    cron: "Cron expression",
    hidden: "changed (hidden)",
    revert: "Revert",
    revertTitle: "Revert to version 1?",
    reverted: "Reverted to version 1; saved as version 3.",
  },
  "zh-CN": {
    history: "修改历史",
    edited: "编辑",
    created: "创建",
    changes: "查看修改",
    cron: "Cron 表达式",
    hidden: "已修改（不显示）",
    revert: "回滚",
    revertTitle: "回滚到版本 1？",
    reverted: "已回滚到版本 1，保存为版本 3。",
  },
} as const;

describe.skipIf(!hasChromium)("task history in the dashboard", () => {
  const suite = browserSuite({ tokenName: "e2e history" });

  for (const locale of ["en-US", "zh-CN"] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);
      const w = WORDS[locale];

      it("lists the versions, shows what one changed, and reverts to an earlier one", async () => {
        const { page } = view;
        const task = await suite.api<{ id: number }>(
          "POST",
          "/api/tasks",
          {
            name: `history-${locale}`,
            mode: "HTTP",
            httpMethod: "POST",
            command: "https://example.test/hook",
            cron: "0 4 1 1 *",
            enabled: false,
            notifyPolicy: "ON_FAILURE",
            notifyChannel: "WEBHOOK",
            notifyWebhookUrl: "https://example.test/notify",
            notifyWebhookSecret: `${SECRET}-1`,
          },
          201,
        );
        await suite.api("PATCH", `/api/tasks/${task.id}`, { cron: "0 5 1 1 *", notifyWebhookSecret: `${SECRET}-2` });

        await page.goto(`${suite.url}/tasks/${task.id}`);
        const history = page.getByTestId("task-history");
        await history.getByRole("heading", { name: w.history }).waitFor();
        const table = history.getByTestId("history-table");
        await table.getByText(w.edited, { exact: true }).waitFor();
        await table.getByText(w.created, { exact: true }).waitFor();

        await history.getByTestId("history-diff-2").click();
        const diff = history.getByTestId("history-diff-table");
        await diff.waitFor();
        const changed = (await diff.textContent()) ?? "";
        for (const part of [w.cron, "0 4 1 1 *", "0 5 1 1 *", w.hidden]) expect(changed).toContain(part);
        expect((await page.locator("body").textContent()) ?? "").not.toContain(SECRET);
        await page.screenshot({ path: join(screenshotDir, `task-history-${locale}.png`), fullPage: true });

        await history.getByTestId("history-revert-1").click();
        const confirm = page.getByRole("dialog", { name: w.revertTitle });
        await confirm.getByRole("button", { name: w.revert, exact: true }).click();
        await history.getByText(w.reverted, { exact: true }).waitFor();
        const settings = (await page.getByTestId("task-settings").textContent()) ?? "";
        expect(settings).toContain("0 4 1 1 *");
        const stored = await suite.api<{ cron: string }>("GET", `/api/tasks/${task.id}`);
        expect(stored.cron).toBe("0 4 1 1 *");
        const versions = await suite.api<{ total: number; items: Array<{ action: string }> }>(
          "GET",
          `/api/tasks/${task.id}/versions`,
        );
        expect(versions.total).toBe(3);
        expect(versions.items[0]?.action).toBe("revert");
      });
    });
  }
});

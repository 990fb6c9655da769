import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInPage } from "./support/auth.ts";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, signedInView, waitForRunEnd } from "./support/suite.ts";

// The global runs page (issue 15): every run across tasks, filtered by task, status, trigger and
// time (kept in the URL), and the admin's cleanup of old ended runs with a dialog that counts them
// first; in English and Chinese. Runs are aged by rewriting their times in the server's SQLite file.

const hasChromium = chromiumAvailable();
const DAY = 86_400_000;

describe.skipIf(!hasChromium)("the runs page", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "crondeck-runs-e2e-"));
  const dbFile = join(dataDir, "runs.db");
  const suite = browserSuite({
    tokenName: "e2e runs",
    env: { DATABASE_URL: `file:${dbFile}`, NOTIFY_RETRY_ATTEMPTS: "1", NOTIFY_RETRY_BASE_MS: "0" },
  });
  const api: typeof suite.api = (...args) => suite.api(...args);

  const createTask = (name: string, command: string) =>
    api<{ id: number }>("POST", "/api/tasks", { name, mode: "SHELL", cron: "0 5 1 1 *", command }, 201);
  async function finishedRun(taskId: number): Promise<number> {
    const { runId } = await api<{ runId: number }>("POST", `/api/tasks/${taskId}/run`, undefined, 202);
    return (await waitForRunEnd(suite.api, runId)).id;
  }
  /** Moves a finished run `days` back in time, in the stored format of its own timestamps. */
  function age(runId: number, days: number): void {
    const db = new DatabaseSync(dbFile);
    try {
      const row = db.prepare("SELECT scheduledAt, startedAt, finishedAt FROM Run WHERE id = ?").get(runId) as Record<
        string,
        number | string
      >;
      const shift = (value: number | string) =>
        typeof value === "number" ? value - days * DAY : new Date(Date.parse(value) - days * DAY).toISOString();
      db.prepare("UPDATE Run SET scheduledAt = ?, startedAt = ?, finishedAt = ? WHERE id = ?").run(
        shift(row.scheduledAt as number | string),
        shift(row.startedAt as number | string),
        shift(row.finishedAt as number | string),
        runId,
      );
    } finally {
      db.close();
    }
  }
  const runExists = async (id: number) =>
    (await fetch(`${suite.url}/api/runs/${id}`, { headers: { authorization: `Bearer ${suite.token}` } })).status ===
    200;

  beforeAll(async () => {
    await api(
      "POST",
      "/api/users",
      { username: "runs-viewer", password: "runs-viewer-password-1", role: "viewer" },
      201,
    );
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  describe("in English", () => {
    const view = signedInView(suite, "en-US");
    let ok: { id: number };
    let failing: { id: number };
    let oldOk: number;
    let newOk: number;
    let oldFail: number;
    beforeAll(async () => {
      ok = await createTask("runs-en-ok", "echo fine");
      failing = await createTask("runs-en-fail", "exit 3");
      oldOk = await finishedRun(ok.id);
      newOk = await finishedRun(ok.id);
      oldFail = await finishedRun(failing.id);
      age(oldOk, 40);
      age(oldFail, 45);
    });

    const rows = () => view.page.getByTestId("all-runs-table").locator("tbody tr");
    const runLinks = async () => view.page.getByTestId("all-runs-table").getByTestId("run-link").allTextContents();

    it("lists every run across tasks, newest first, linked to its run and task", async () => {
      await view.page.getByRole("link", { name: "Runs", exact: true }).click();
      await view.page.waitForURL(`${suite.url}/runs`);
      await rows().first().waitFor();
      expect(await runLinks()).toEqual([`Run #${oldFail}`, `Run #${newOk}`, `Run #${oldOk}`]);
      const failRow = rows().filter({ hasText: `Run #${oldFail}` });
      expect(await failRow.textContent()).toContain("runs-en-fail");
      await failRow.locator('[data-status="FAILED"]').waitFor();
      expect(await failRow.getByRole("link", { name: "runs-en-fail" }).getAttribute("href")).toBe(
        `/tasks/${failing.id}`,
      );
    });

    it("filters by task, status, trigger and time, keeping the filters in the URL", async () => {
      await view.page.getByLabel("Task", { exact: true }).selectOption({ label: "runs-en-ok" });
      await view.page.waitForURL((url) => url.searchParams.get("taskId") === String(ok.id));
      await expectRuns([newOk, oldOk]);

      await view.page.getByLabel("Status", { exact: true }).selectOption({ label: "Failed" });
      await view.page.getByText("No run matches these filters.").waitFor();
      await view.page.getByLabel("Status", { exact: true }).selectOption({ label: "Succeeded" });
      await view.page.getByLabel("Trigger", { exact: true }).selectOption({ label: "Manual" });
      await expectRuns([newOk, oldOk]);
      expect(new URL(view.page.url()).searchParams.get("trigger")).toBe("MANUAL");

      // Scheduled from two days ago: only the run that was not aged.
      const twoDaysAgo = new Date(Date.now() - 2 * DAY);
      const pad = (n: number) => String(n).padStart(2, "0");
      await view.page
        .getByTestId("filter-from")
        .fill(
          `${twoDaysAgo.getFullYear()}-${pad(twoDaysAgo.getMonth() + 1)}-${pad(twoDaysAgo.getDate())}T${pad(twoDaysAgo.getHours())}:${pad(twoDaysAgo.getMinutes())}`,
        );
      await expectRuns([newOk]);
      const from = new URL(view.page.url()).searchParams.get("from");
      expect(Math.abs(Date.parse(from ?? "") - twoDaysAgo.getTime())).toBeLessThan(60_000);

      // A reload (or a shared link) shows the same list.
      await view.page.reload();
      await expectRuns([newOk]);
      expect(await view.page.getByLabel("Task", { exact: true }).inputValue()).toBe(String(ok.id));
      await view.page.screenshot({ path: join(screenshotDir, "runs-filtered.png"), fullPage: true });

      await view.page.getByRole("button", { name: "Clear filters" }).click();
      await view.page.waitForURL(`${suite.url}/runs`);
      await expectRuns([oldFail, newOk, oldOk]);
    });

    it("lets an admin delete old ended runs after a dialog that counts them; the last day's stay", async () => {
      await view.page.getByRole("button", { name: "Clean up old runs" }).click();
      const dialog = view.page.getByRole("dialog", { name: "Clean up old runs" });
      await dialog.waitFor();
      // Default: finished before 30 days ago, all tasks.
      await dialog
        .getByTestId("cleanup-preview")
        .filter({ hasText: /^2 ended runs of all tasks finished before \d{4}-\d\d-\d\d\.$/ })
        .waitFor();
      expect(await dialog.textContent()).toContain("Runs still going and runs of the last 24 hours are always kept.");
      // One task only: the count follows.
      await dialog.getByLabel("Of").selectOption({ label: "runs-en-fail" });
      await dialog.getByTestId("cleanup-preview").filter({ hasText: "1 ended runs of runs-en-fail" }).waitFor();
      // A day before both old runs: nothing to delete, the button says so and does nothing.
      await dialog.getByLabel("Finished before").fill(new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10));
      await dialog.getByRole("button", { name: "Nothing to delete" }).waitFor();
      expect(await dialog.getByRole("button", { name: "Nothing to delete" }).isDisabled()).toBe(true);
      await dialog.getByLabel("Of").selectOption({ label: "All tasks" });
      await dialog.getByLabel("Finished before").fill(new Date(Date.now() - 7 * DAY).toISOString().slice(0, 10));
      await view.page.screenshot({ path: join(screenshotDir, "runs-cleanup.png"), fullPage: true });
      await dialog.getByRole("button", { name: "Delete 2 runs" }).click();
      await view.page.getByText("Deleted 2 runs.").waitFor();
      await expectRuns([newOk]);
      expect(await runExists(oldOk)).toBe(false);
      expect(await runExists(oldFail)).toBe(false);
      expect(await runExists(newOk)).toBe(true);
      const audit = await api<{ items: { action: string; actorName: string }[] }>("GET", "/api/audit");
      expect(audit.items[0]).toMatchObject({ action: "runs.cleanup", actorName: "e2e-admin" });
    });

    it("marks runs whose notification failed, and lists only those on request", async () => {
      // Notifies a webhook nobody listens on: the delivery fails and is recorded on the run.
      const noisy = await api<{ id: number }>(
        "POST",
        "/api/tasks",
        {
          name: "runs-en-notify",
          mode: "SHELL",
          cron: "0 5 1 1 *",
          command: "true",
          notifyPolicy: "ON_END",
          notifyChannel: "WEBHOOK",
          notifyWebhookUrl: "http://127.0.0.1:1/hook",
        },
        201,
      );
      const run = await finishedRun(noisy.id);
      for (let i = 0; i < 100; i++) {
        const detail = await api<{ notifications: unknown[] }>("GET", `/api/runs/${run}`);
        if (detail.notifications.length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await view.page.goto(`${suite.url}/runs`);
      const row = rows().filter({ hasText: `Run #${run}` });
      expect(await row.getByTestId("notify-failed").textContent()).toBe("1 notification(s) failed");
      await view.page.getByLabel("Failed notifications only").check();
      await view.page.waitForURL((url) => url.searchParams.get("notifyFailed") === "true");
      await expectRuns([run]);
      await view.page.getByRole("button", { name: "Clear filters" }).click();
      await view.page.waitForURL(`${suite.url}/runs`);
    });

    it("is opened from a task's page filtered to that task", async () => {
      await view.page.goto(`${suite.url}/tasks/${ok.id}`);
      await view.page.getByRole("link", { name: "On the Runs page" }).click();
      await view.page.waitForURL(`${suite.url}/runs?taskId=${ok.id}`);
      await expectRuns([newOk]);
    });

    it("offers no cleanup to a viewer, who still sees and filters the runs", async () => {
      const viewer = await signedInPage(suite.browser, suite.url, {
        locale: "en-US",
        who: { username: "runs-viewer", password: "runs-viewer-password-1" },
      });
      try {
        await viewer.page.goto(`${suite.url}/runs?taskId=${ok.id}`);
        await viewer.page.getByTestId("all-runs-table").getByTestId("run-link").first().waitFor();
        expect(await viewer.page.getByRole("button", { name: "Clean up old runs" }).count()).toBe(0);
      } finally {
        await viewer.context.close();
      }
    });

    async function expectRuns(ids: number[]) {
      const want = ids.map((id) => `Run #${id}`);
      for (let i = 0; i < 100; i++) {
        if (JSON.stringify(await runLinks()) === JSON.stringify(want)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await runLinks()).toEqual(want);
    }
  });

  describe("in Chinese", () => {
    const view = signedInView(suite, "zh-CN");

    it("筛选执行记录并清理旧记录", async () => {
      const task = await createTask("runs-zh", "exit 2");
      const old = await finishedRun(task.id);
      age(old, 40);
      await view.page.getByRole("link", { name: "执行记录", exact: true }).click();
      await view.page.getByRole("heading", { name: "执行记录" }).waitFor();
      await view.page.getByLabel("任务", { exact: true }).selectOption({ label: "runs-zh" });
      await view.page.getByLabel("状态", { exact: true }).selectOption({ label: "失败" });
      await view.page.getByTestId("all-runs-table").getByText(`执行 #${old}`).waitFor();
      await view.page.getByLabel("仅看通知失败的").check();
      await view.page.getByText("没有符合筛选条件的执行记录。").waitFor();
      await view.page.getByLabel("仅看通知失败的").uncheck();
      await view.page.getByTestId("all-runs-table").getByText(`执行 #${old}`).waitFor();
      await view.page.getByRole("button", { name: "清理旧记录" }).click();
      const dialog = view.page.getByRole("dialog", { name: "清理旧执行记录" });
      await dialog
        .getByTestId("cleanup-preview")
        .filter({ hasText: /^任务 runs-zh 有 1 条在 .+ 之前结束的执行记录。$/ })
        .waitFor();
      expect(await dialog.textContent()).toContain("仍在执行的记录和最近 24 小时内的记录始终保留。");
      await view.page.screenshot({ path: join(screenshotDir, "runs-cleanup-zh.png"), fullPage: true });
      await dialog.getByRole("button", { name: "删除 1 条记录" }).click();
      await view.page.getByText("已删除 1 条执行记录。").waitFor();
      await view.page.getByText("没有符合筛选条件的执行记录。").waitFor();
      expect(await runExists(old)).toBe(false);

      // The audit log says what was done in Chinese, keeping the code at hand.
      await view.page.goto(`${suite.url}/audit`);
      const action = view.page.getByTestId("audit-table").locator('[data-action="runs.cleanup"]').first();
      expect(await action.textContent()).toBe("清理执行记录");
      expect(await action.getAttribute("title")).toBe("runs.cleanup");
    });
  });
});

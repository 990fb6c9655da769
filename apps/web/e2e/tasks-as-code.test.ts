import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// Tasks as code in the dashboard (issue 15): export the selection as YAML, import a file with its
// plan shown first, in English and Chinese, against the built dashboard and the real server.

interface TaskJson {
  id: number;
  name: string;
  cron: string;
}

const YEARLY = "0 0 1 1 *";

const LANGS = [
  {
    locale: "en-US",
    tag: "en",
    select: (name: string) => `Select ${name}`,
    importButton: "Import YAML",
    plan: "Plan",
    apply: "Apply",
    summary: "1 to create, 1 to change, 0 to delete, 0 unchanged",
    applied: "Applied: 1 created, 1 changed, 0 deleted.",
    badCron: (task: string) => `Task “${task}”`,
  },
  {
    locale: "zh-CN",
    tag: "zh",
    select: (name: string) => `选择 ${name}`,
    importButton: "导入 YAML",
    plan: "预览变更",
    apply: "应用",
    summary: "创建 1 个，修改 1 个，删除 0 个，未变 0 个",
    applied: "已应用：创建 1 个，修改 1 个，删除 0 个。",
    badCron: (task: string) => `任务“${task}”`,
  },
] as const;

describe.skipIf(!chromiumAvailable())("tasks as code in the dashboard", () => {
  const suite = browserSuite({ tokenName: "e2e tasks as code" });

  for (const lang of LANGS) {
    describe(`in ${lang.locale}`, () => {
      const view = signedInView(suite, lang.locale);

      it("exports the selection as YAML, then imports a changed file after showing its plan", async () => {
        const { page } = view;
        const keep = `yaml-${lang.tag}-keep`;
        const other = `yaml-${lang.tag}-other`;
        const fresh = `yaml-${lang.tag}-fresh`;
        const kept = await suite.api<TaskJson>(
          "POST",
          "/api/tasks",
          { name: keep, mode: "SHELL", cron: YEARLY, command: "echo keep", enabled: false },
          201,
        );
        await suite.api("POST", "/api/tasks", { name: other, mode: "SHELL", cron: YEARLY, command: "true" }, 201);

        await page.goto(`${suite.url}/tasks?q=yaml-${lang.tag}`);
        await page.getByRole("checkbox", { name: lang.select(keep) }).check();
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-export").click()]);
        expect(download.suggestedFilename()).toBe("crondeck-tasks.yaml");
        const exported = await readFile((await download.path()) as string, "utf8");
        expect(exported).toContain(`\ntasks:\n  ${keep}:\n`);
        expect(exported).not.toContain(other);

        // The file as someone edited it: the task rescheduled, a new one added.
        const edited = `${exported.replace(`cron: ${YEARLY}`, "cron: 0 2 * * *")}  ${fresh}:\n    mode: SHELL\n    cron: "@daily"\n    command: echo fresh\n    enabled: false\n`;
        await page.getByTestId("import-open").click();
        const dialog = page.getByRole("dialog");
        await dialog.getByTestId("import-yaml").fill(edited);
        expect(await dialog.getByTestId("import-apply").isDisabled()).toBe(true);
        await dialog.getByRole("button", { name: lang.plan, exact: true }).click();
        await dialog.getByTestId("import-plan-summary").filter({ hasText: lang.summary }).waitFor();
        const planText = (await dialog.getByTestId("import-plan").textContent()) ?? "";
        await page.screenshot({ path: join(screenshotDir, `tasks-import-plan-${lang.tag}.png`) });
        expect(planText).toContain(fresh);
        expect(planText).toContain(`${YEARLY} → 0 2 * * *`);
        // Nothing is written by a plan.
        expect((await suite.api<TaskJson>("GET", `/api/tasks/${kept.id}`)).cron).toBe(YEARLY);

        await dialog.getByRole("button", { name: lang.apply, exact: true }).click();
        await page.getByTestId("bulk-outcome").filter({ hasText: lang.applied }).waitFor();
        expect(await page.getByRole("dialog").count()).toBe(0);
        expect((await suite.api<TaskJson>("GET", `/api/tasks/${kept.id}`)).cron).toBe("0 2 * * *");
        const listed = await suite.api<{ items: TaskJson[] }>("GET", `/api/tasks?q=${fresh}`);
        expect(listed.items.map((task) => task.name)).toEqual([fresh]);
        await page.getByRole("link", { name: fresh, exact: true }).waitFor();
      });

      it("names the refused task and field in the reader's language and stores nothing", async () => {
        const { page } = view;
        const bad = `yaml-${lang.tag}-bad`;
        await page.goto(`${suite.url}/tasks`);
        await page.getByRole("button", { name: lang.importButton, exact: true }).click();
        const dialog = page.getByRole("dialog");
        await dialog
          .getByTestId("import-yaml")
          .fill(`version: 1\ntasks:\n  ${bad}: {mode: SHELL, cron: "99 * * * *", command: "true"}\n`);
        await dialog.getByRole("button", { name: lang.plan, exact: true }).click();
        const error = dialog.getByTestId("import-error");
        await error.filter({ hasText: lang.badCron(bad) }).waitFor();
        expect(await dialog.getByTestId("import-apply").isDisabled()).toBe(true);
        await dialog.getByRole("button", { name: lang.tag === "en" ? "Cancel" : "取消", exact: true }).click();
        const listed = await suite.api<{ total: number }>("GET", `/api/tasks?q=${bad}`);
        expect(listed.total).toBe(0);
      });
    });
  }
});

import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// Task dependencies in the dashboard: an upstream task picked by name in the form, the task pages
// linking both ways, and the dependent's run page naming the run that started it; in both languages.

const hasChromium = chromiumAvailable();
/** A schedule that does not come during the test. */
const NEVER = "0 0 1 1 *";

const texts = {
  "en-US": {
    search: "Runs after",
    add: (name: string) => `Add ${name}`,
    on: (name: string) => `When ${name} ends`,
    save: "Save changes",
    upstream: (name: string) => `${name} — when it ended (any result)`,
    downstream: (name: string) => `${name} — when this task ended (any result)`,
    trigger: "Dependency",
    triggeredBy: (id: number, name: string) => `run #${id} of ${name}`,
  },
  "zh-CN": {
    search: "上游任务",
    add: (name: string) => `添加 ${name}`,
    on: (name: string) => `${name} 结束时`,
    save: "保存修改",
    upstream: (name: string) => `${name} — 该任务结束（任何结果）时`,
    downstream: (name: string) => `${name} — 本任务结束（任何结果）时`,
    trigger: "依赖触发",
    triggeredBy: (id: number, name: string) => `${name} 的执行 #${id}`,
  },
} as const;

describe.skipIf(!hasChromium)("task dependencies in the dashboard", () => {
  const suite = browserSuite({ tokenName: "e2e setup" });

  for (const locale of ["en-US", "zh-CN"] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);
      const say = texts[locale];

      it("picks an upstream by name, links both ways, and the dependent's run names the run that started it", async () => {
        const upName = `extract-${locale}`;
        const downName = `load-${locale}`;
        const task = (name: string, command: string) =>
          suite.api<{ id: number }>("POST", "/api/tasks", { name, mode: "SHELL", cron: NEVER, command }, 201);
        const up = await task(upName, "exit 2");
        const down = await task(downName, "echo loaded");

        const page = view.page;
        await page.goto(`${suite.url}/tasks/${down.id}/edit`);
        await page.getByRole("searchbox", { name: say.search }).fill(upName.slice(0, 9));
        await page.getByRole("button", { name: say.add(upName) }).click();
        await page.getByLabel(say.on(upName)).selectOption("END");
        await page.getByRole("button", { name: say.save }).click();
        await page.waitForURL(`${suite.url}/tasks/${down.id}`);
        const upstream = page.getByTestId("task-upstream");
        await upstream.waitFor();
        expect(await upstream.textContent()).toContain(say.upstream(upName));
        const stored = await suite.api<{ dependsOn: unknown[] }>("GET", `/api/tasks/${down.id}`);
        expect(stored.dependsOn).toEqual([{ taskId: up.id, on: "END" }]);

        await upstream.getByRole("link", { name: upName }).click();
        await page.waitForURL(`${suite.url}/tasks/${up.id}`);
        const downstream = page.getByTestId("task-downstream");
        await downstream.waitFor();
        expect(await downstream.textContent()).toContain(say.downstream(downName));

        // The upstream fails: END starts the dependent, whose run page links back to it.
        const { runId } = await suite.api<{ runId: number }>("POST", `/api/tasks/${up.id}/run`, undefined, 202);
        let dependentRun: number | undefined;
        for (let i = 0; i < 600 && dependentRun === undefined; i++) {
          const runs = await suite.api<{ items: Array<{ id: number }> }>("GET", `/api/tasks/${down.id}/runs`);
          dependentRun = runs.items[0]?.id;
          if (dependentRun === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(dependentRun).toBeDefined();
        await page.goto(`${suite.url}/runs/${dependentRun}`);
        const triggeredBy = page.getByTestId("run-triggered-by");
        await triggeredBy.waitFor();
        expect(await triggeredBy.textContent()).toContain(say.trigger);
        await triggeredBy.getByRole("link", { name: say.triggeredBy(runId, upName) }).click();
        await page.waitForURL(`${suite.url}/runs/${runId}`);
      });
    });
  }
});

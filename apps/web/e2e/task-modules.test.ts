import { describe, expect, it } from "vitest";
import { META } from "../src/test/meta.ts";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// The task form knows no mode or channel by name: it shows the fields GET /api/meta declares for
// the chosen one, labelled in the reader's language, and the task page shows them back the same way.

const hasChromium = chromiumAvailable();

const LABELS = {
  "en-US": {
    name: "Name",
    mode: "Mode",
    cron: "Cron expression",
    command: "Command",
    method: "HTTP method",
    url: "URL",
    urlHint: "An absolute http:// or https:// address.",
    headers: "Headers",
    body: "Request body",
    create: "Create task",
  },
  "zh-CN": {
    name: "名称",
    mode: "执行方式",
    cron: "Cron 表达式",
    command: "命令",
    method: "请求方法",
    url: "URL",
    urlHint: "以 http:// 或 https:// 开头的完整地址。",
    headers: "请求头",
    body: "请求体",
    create: "创建任务",
  },
} as const;

describe.skipIf(!hasChromium)("mode fields from meta", () => {
  const suite = browserSuite({ tokenName: "e2e task modules" });

  it("the component tests' meta fixture (src/test/meta.json) is what the server publishes", async () => {
    expect(await suite.api("GET", "/api/meta")).toEqual(META);
  });

  for (const locale of ["en-US", "zh-CN"] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);
      const l = LABELS[locale];

      it("switching SHELL to HTTP shows HTTP's fields, which are saved and shown on the task page", async () => {
        const { page } = view;
        const field = (label: string) => page.getByLabel(label, { exact: true });
        await page.goto(`${suite.url}/tasks/new`);
        await field(l.command).waitFor();
        expect(await field(l.headers).count()).toBe(0);

        await field(l.name).fill(`modules-${locale}`);
        await field(l.mode).selectOption("HTTP");
        await field(l.headers).waitFor();
        expect(await field(l.command).count()).toBe(0);
        expect(await field(l.body).count()).toBe(0);
        await page.getByText(l.urlHint, { exact: true }).waitFor();
        await field(l.method).selectOption("POST");
        await field(l.url).fill("https://example.com/modules");
        await field(l.headers).fill("X-Env: e2e");
        await field(l.body).fill('{"from":"meta"}');
        await field(l.cron).fill("0 3 * * *");
        await page.getByRole("button", { name: l.create }).click();
        await page.waitForURL(/\/tasks\/\d+$/);

        const id = Number(page.url().match(/(\d+)$/)?.[1]);
        const task = await suite.api<Record<string, unknown>>("GET", `/api/tasks/${id}`);
        expect(task).toMatchObject({
          mode: "HTTP",
          httpMethod: "POST",
          command: "https://example.com/modules",
          httpHeaders: { "X-Env": "e2e" },
          httpBody: '{"from":"meta"}',
        });
        const settings = page.getByTestId("task-settings");
        await settings.waitFor();
        const text = (await settings.textContent()) ?? "";
        for (const part of [
          `${l.method}POST`,
          `${l.url}https://example.com/modules`,
          `${l.headers}X-Env: e2e`,
          `${l.body}{"from":"meta"}`,
        ])
          expect(text).toContain(part);
      });
    });
  }
});

import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView, waitForRunEnd } from "./support/suite.ts";

// Run with parameters…: from the task page, one run with its own environment (any mode) and the
// fields its mode lets a run override (HTTP: headers and body), shown again on the run page.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("run with parameters", () => {
  const suite = browserSuite({ tokenName: "e2e setup" });

  describe("in English", () => {
    const view = signedInView(suite, "en-US");

    it("runs a SHELL task with a variable over the task's and shows it on the run page", async () => {
      const { id } = await suite.api<{ id: number }>(
        "POST",
        "/api/tasks",
        {
          name: "params-shell-e2e",
          mode: "SHELL",
          cron: "0 5 * * *",
          command: 'echo "level=$LEVEL"',
          env: { LEVEL: "incremental" },
        },
        201,
      );
      const page = view.page;
      await page.goto(`${suite.url}/tasks/${id}`);
      await page.getByRole("button", { name: "Run with parameters…" }).click();
      const dialog = page.getByRole("dialog", { name: "Run “params-shell-e2e” with parameters" });
      // A SHELL task overrides nothing but its environment.
      expect(await dialog.locator("textarea").count()).toBe(0);
      await dialog.getByLabel("Name of variable 1").fill("LEVEL");
      await dialog.getByLabel("Value of variable 1").fill("full");
      await dialog.getByRole("button", { name: "Run", exact: true }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      const runId = Number(new URL(page.url()).pathname.split("/").at(-1));
      expect((await waitForRunEnd(suite.api, runId)).output).toBe("level=full\n");
      expect(await page.getByTestId("run-param-env").textContent()).toBe("LEVEL=full");
      expect(await page.getByTestId("run-facts").textContent()).toContain("Environment (this run)");
    });
  });

  describe("in Chinese", () => {
    const view = signedInView(suite, "zh-CN");

    it("runs an HTTP task with its headers merged and another body, credentials shown masked", async () => {
      // The task calls this server's own cron preview: the run's headers carry the token and its
      // body the expression, so a 200 proves both arrived.
      const { id } = await suite.api<{ id: number }>(
        "POST",
        "/api/tasks",
        {
          name: "params-http-e2e",
          mode: "HTTP",
          httpMethod: "POST",
          cron: "0 5 * * *",
          command: `${suite.url}/api/cron/preview`,
          httpHeaders: { "Content-Type": "application/json" },
          httpBody: '{"cron":"not a cron"}',
          enabled: false,
        },
        201,
      );
      const page = view.page;
      await page.goto(`${suite.url}/tasks/${id}`);
      await page.getByRole("button", { name: "带参数执行…" }).click();
      const dialog = page.getByRole("dialog", { name: "带参数执行“params-http-e2e”" });
      await dialog.getByLabel("请求头").fill(`Authorization: Bearer ${suite.token}`);
      await dialog.getByLabel("请求体").fill('{"cron":"0 3 * * *","timezone":"UTC"}');
      await dialog.getByRole("button", { name: "执行", exact: true }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      const runId = Number(new URL(page.url()).pathname.split("/").at(-1));
      const run = await waitForRunEnd(suite.api, runId);
      expect(run.status, run.output).toBe("SUCCEEDED");
      expect(await page.getByTestId("run-param-httpHeaders").textContent()).toBe("Authorization: ***");
      expect(await page.getByTestId("run-param-httpBody").textContent()).toBe('{"cron":"0 3 * * *","timezone":"UTC"}');
      const facts = (await page.getByTestId("run-facts").textContent()) ?? "";
      expect(facts).toContain("请求头（本次）");
      expect(facts).toContain("请求体（本次）");
      expect(facts).not.toContain(suite.token);
    });
  });
});

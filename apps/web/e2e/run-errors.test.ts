import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// A run's error is said in the dashboard's language from its code: the Chinese run page shows a
// failed shell's exit and a timeout with none of the server's English, which stays in the tooltip.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("run errors in the dashboard's language", () => {
  const suite = browserSuite({ tokenName: "e2e run errors" });
  const view = signedInView(suite, "zh-CN");

  async function failedRun(name: string, command: string, timeoutSeconds = 60): Promise<number> {
    const { id } = await suite.api<{ id: number }>(
      "POST",
      "/api/tasks",
      { name, mode: "SHELL", cron: "0 5 * * *", command, timeoutSeconds },
      201,
    );
    const { runId } = await suite.api<{ runId: number }>("POST", `/api/tasks/${id}/run`, undefined, 202);
    return runId;
  }

  it("一次退出码为 3 的执行和一次超时，都用中文说明原因", async () => {
    const { page } = view;
    const exited = await failedRun("exit-3-zh", "echo 出错了; exit 3");
    await page.goto(`${suite.url}/runs/${exited}`);
    await page.getByTestId("run-status").locator('[data-status="FAILED"]').waitFor({ timeout: 30_000 });
    const error = page.getByTestId("run-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("退出码为 3");
    expect(await error.getAttribute("data-code")).toBe("EXIT_CODE");
    // The server's English is kept for whoever hovers, never shown as the text.
    expect(await error.getAttribute("title")).toBe("exited with code 3");
    const notices = (await page.locator(".run-notices").textContent()) ?? "";
    expect(notices).not.toMatch(/exited|code 3|[A-Za-z]{4,}/);

    const slow = await failedRun("timeout-zh", "sleep 30", 1);
    await page.goto(`${suite.url}/runs/${slow}`);
    await page.getByTestId("run-status").locator('[data-status="TIMED_OUT"]').waitFor({ timeout: 30_000 });
    await page.getByTestId("run-error").filter({ hasText: "运行超过 1 秒，已超时终止" }).waitFor();

    // The runs list says it on the status, in Chinese too.
    await page.goto(`${suite.url}/runs`);
    const link = page.getByTestId("run-link").filter({ hasText: new RegExp(`#${exited}$`) });
    await link.waitFor();
    const row = page.getByTestId("all-runs-table").getByRole("row").filter({ has: link });
    expect(await row.getByTestId("status-badge").getAttribute("title")).toBe("退出码为 3");
  });
});

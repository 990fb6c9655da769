import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, signedInView, waitForRunEnd } from "./support/suite.ts";

// The output viewer (issue 15): ANSI colours shown as colours (and markup in output shown as
// text), lines wrapped or not, the full output downloaded as a file (day two: kept compressed
// beyond what the page shows), and the caps said plainly, in English and Chinese.

const hasChromium = chromiumAvailable();

// Red text, a bold green word, markup that must stay text, then enough lines to pass the 4 KiB cap.
const COMMAND = [
  "printf '\\033[31mred alert\\033[0m then \\033[1;32mbold green\\033[0m\\n'",
  "echo '<b id=injected>not bold</b>'",
  "seq 1 1500",
].join("; ");

describe.skipIf(!hasChromium)("the run output viewer", () => {
  const suite = browserSuite({ tokenName: "e2e output", env: { RUN_OUTPUT_LIMIT_BYTES: "4096" } });
  let runId: number;
  let stored: string;
  /** What the command printed in all (the run keeps only 4 KiB of it on the page). */
  const printed = `\u001b[31mred alert\u001b[0m then \u001b[1;32mbold green\u001b[0m\n<b id=injected>not bold</b>\n${Array.from({ length: 1500 }, (_, i) => `${i + 1}\n`).join("")}`;

  beforeAll(async () => {
    const task = await suite.api<{ id: number }>(
      "POST",
      "/api/tasks",
      { name: "ansi-output", mode: "SHELL", cron: "0 5 1 1 *", command: COMMAND },
      201,
    );
    ({ runId } = await suite.api<{ runId: number }>("POST", `/api/tasks/${task.id}/run`, undefined, 202));
    const run = await waitForRunEnd(suite.api, runId);
    expect(run.status).toBe("SUCCEEDED");
    stored = run.output;
  });

  describe("in English", () => {
    const view = signedInView(suite, "en-US");

    it("shows ANSI colours as colours, with no escape codes and no markup from the output", async () => {
      const { page } = view;
      await page.goto(`${suite.url}/runs/${runId}`);
      const output = page.getByTestId("run-output");
      const red = output.locator("span", { hasText: "red alert" });
      await red.waitFor();
      expect(await red.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(187, 0, 0)");
      const green = output.locator("span", { hasText: "bold green" });
      expect(await green.evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
      const text = (await output.textContent()) ?? "";
      expect(text).toContain("red alert then bold green");
      expect(text).not.toContain("\u001b");
      expect(text).not.toContain("[31m");
      // The markup is text on the page, not an element.
      expect(text).toContain("<b id=injected>not bold</b>");
      expect(await page.locator("#injected").count()).toBe(0);
    });

    it("says the page's output is capped, how much the run wrote, and that the download is whole", async () => {
      const { page } = view;
      expect(await page.getByTestId("output-truncated").textContent()).toMatch(
        /start and end are kept \(\d+ KiB in total\)/,
      );
      expect(await page.getByTestId("output-download-note").textContent()).toBe(
        "The download holds the full output (6 KiB).",
      );
      expect(await page.getByTestId("output-download").textContent()).toBe("Download full output (6 KiB)");
      expect(await page.getByTestId("output-cap").textContent()).toBe(
        "This page shows up to 4 KiB of each run's output; a longer output keeps its start and end here, and the download gives the full output while it is kept.",
      );
    });

    it("switches line wrapping off and on", async () => {
      const { page } = view;
      const output = page.getByTestId("run-output");
      expect(await output.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("pre-wrap");
      await page.getByLabel("Wrap lines").uncheck();
      expect(await output.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("pre");
      await page.getByLabel("Wrap lines").check();
      expect(await output.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("pre-wrap");
    });

    it("finds text in the output, marks every match and steps through them", async () => {
      const { page } = view;
      const search = page.getByRole("searchbox", { name: "Find in output" });
      await search.fill("ALERT");
      await page.getByTestId("output-matches").filter({ hasText: "1 of 1" }).waitFor();
      const mark = page.getByTestId("run-output").locator("mark");
      expect(await mark.allTextContents()).toEqual(["alert"]);
      // The match keeps its colour.
      expect(await mark.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(187, 0, 0)");

      // "150" is in 150 and 1500 (1150 and 1450 are in the middle the cap left out, if at all).
      await search.fill("150");
      const matches = page.getByTestId("output-matches");
      await matches.filter({ hasText: /^1 of \d+$/ }).waitFor();
      const count = await mark.count();
      expect(count).toBeGreaterThanOrEqual(2);
      await search.press("Enter");
      await matches.filter({ hasText: `2 of ${count}` }).waitFor();
      expect(await page.locator("mark.current").getAttribute("data-match")).toBe("1");
      await search.press("Shift+Enter");
      await matches.filter({ hasText: `1 of ${count}` }).waitFor();
      await search.fill("no such text");
      await matches.filter({ hasText: "No match" }).waitFor();
      expect(await mark.count()).toBe(0);
      await search.fill("");
    });

    it("copies the output as plain text, without escape codes", async () => {
      const { page, context } = view;
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: suite.url });
      await page.getByRole("button", { name: "Copy", exact: true }).click();
      await page.getByText("Copied to the clipboard.").waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.startsWith("red alert then bold green\n<b id=injected>not bold</b>\n1\n")).toBe(true);
      expect(copied).not.toContain("\u001b");
    });

    it("downloads the full output, escape codes included, as a .log file", async () => {
      const { page } = view;
      await page.screenshot({ path: join(screenshotDir, "run-output.png"), fullPage: true });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Download" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`run-${runId}-ansi-output.log`);
      const path = await download.path();
      expect(readFileSync(path, "utf8")).toBe(printed);
      expect(stored).toContain("\u001b[31mred alert");
      expect(stored).toMatch(/…\[\d+ bytes truncated\]…/);
    });
  });

  describe("in Chinese", () => {
    const view = signedInView(suite, "zh-CN");

    it("彩色输出、换行开关、输出上限说明和下载", async () => {
      const { page } = view;
      await page.goto(`${suite.url}/runs/${runId}`);
      const red = page.getByTestId("run-output").locator("span", { hasText: "red alert" });
      await red.waitFor();
      expect(await red.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(187, 0, 0)");
      expect(await page.getByTestId("output-cap").textContent()).toBe(
        "本页面每次运行最多显示 4 KiB 输出；更长的输出在此只保留开头和结尾，完整输出在保留期间可下载。",
      );
      expect(await page.getByTestId("output-download-note").textContent()).toBe("下载内容为完整输出（6 KiB）。");
      await page.getByRole("searchbox", { name: "在输出中查找" }).fill("alert");
      await page.getByTestId("output-matches").filter({ hasText: "第 1 处，共 1 处" }).waitFor();
      await page.getByLabel("自动换行").uncheck();
      expect(await page.getByTestId("run-output").evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("pre");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "下载" }).click(),
      ]);
      expect(readFileSync(await download.path(), "utf8")).toBe(printed);
      await page.screenshot({ path: join(screenshotDir, "run-output-zh.png"), fullPage: true });
    });
  });
});

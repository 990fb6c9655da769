import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "./support/auth.ts";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, waitForRunEnd } from "./support/suite.ts";

// The dashboard on a phone (390×844), in both languages: nothing wider than the screen, every
// row action on screen, no word broken mid-word, chart labels at a readable size, and a run's
// output before its metadata.

const hasChromium = chromiumAvailable();
const PHONE = { width: 390, height: 844 };

/** The document does not scroll sideways. */
async function expectNoSidewaysScroll(page: Page, where: string) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  expect(scroll, `${where}: document ${scroll} px wide in a ${width} px window`).toBeLessThanOrEqual(width);
}

/** Each element lies horizontally inside the window (and is not scrolled away inside a box). */
async function expectInsideWindow(locator: Locator, where: string) {
  const count = await locator.count();
  expect(count, `${where}: nothing to check`).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const box = await locator.nth(i).boundingBox();
    expect(box, `${where} #${i}: not rendered`).not.toBeNull();
    const { x, width } = box as { x: number; width: number };
    expect(x, `${where} #${i}: starts left of the window`).toBeGreaterThanOrEqual(0);
    expect(x + width, `${where} #${i}: ends at ${x + width} px`).toBeLessThanOrEqual(PHONE.width);
  }
}

/**
 * Latin words (2 to 24 letters, digits or _; a line may end after a hyphen) that the layout broke across two lines: each word's
 * text range gives one box per line it sits on. Longer tokens (URLs, commands) may wrap.
 */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? "";
      const parent = node.parentElement;
      if (!parent || parent.closest("pre, .visually-hidden, script, style, title, option")) continue;
      for (const m of text.matchAll(/[A-Za-z0-9_]{2,24}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(`${m[0]} (in ${parent.tagName.toLowerCase()}.${parent.className})`);
      }
    }
    return broken;
  });
}

/** The size chart labels are drawn at on screen: their font size times the SVG's scale. */
function chartLabelSizes(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGTextElement>(".chart-svg text")].map((text) => {
      const scale = text.ownerSVGElement?.getScreenCTM()?.a ?? 1;
      return Number.parseFloat(getComputedStyle(text).fontSize) * scale;
    }),
  );
}

describe.skipIf(!hasChromium)("phone layout (390×844)", () => {
  const suite = browserSuite({
    tokenName: "e2e phone",
    env: { SECRETS_KEY: "e2e-phone-secrets-key-0123456789" },
  });
  let taskId = 0;
  let runId = 0;

  beforeAll(async () => {
    await suite.api("POST", "/api/secrets", { name: "BACKUP_PASSWORD", value: "phone-layout-value" }, 201);
    const task = await suite.api<{ id: number }>(
      "POST",
      "/api/tasks",
      {
        name: "nightly-database-backup",
        remark: "dumps the orders database and uploads it to object storage",
        mode: "SHELL",
        cron: "0 3 * * *",
        timezone: "Asia/Shanghai",
        command: 'for i in 1 2 3 4 5 6 7 8; do echo "step $i: copying table_$i"; done; echo done >&2',
        retryCount: 2,
        env: { DUMP_DIR: "/var/backups/orders", PGPASSWORD: `\${secret:BACKUP_PASSWORD}` },
      },
      201,
    );
    taskId = task.id;
    await suite.api(
      "POST",
      "/api/tasks",
      {
        name: "ping",
        mode: "HTTP",
        httpMethod: "GET",
        command: "http://127.0.0.1:1/",
        cron: "*/30 * * * * *",
        enabled: false,
      },
      201,
    );
    ({ runId } = await suite.api<{ runId: number }>("POST", `/api/tasks/${taskId}/run`, undefined, 202));
    await waitForRunEnd(suite.api, runId);
  });

  for (const [locale, lang] of [
    ["en-US", "en"],
    ["zh-CN", "zh"],
  ] as const) {
    describe(locale, () => {
      let context: BrowserContext;
      let page: Page;
      const shot = (name: string) =>
        page.screenshot({ path: join(screenshotDir, `phone-${name}${lang === "zh" ? "-zh" : ""}.png`) });

      beforeAll(async () => {
        context = await suite.browser.newContext({
          viewport: PHONE,
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
          locale,
        });
        context.setDefaultTimeout(30_000);
        page = await context.newPage();
        await signIn(page, suite.url);
      });
      afterAll(async () => context?.close());

      it("task list: every row's actions on screen, no sideways scroll, no broken words", async () => {
        await page.goto(`${suite.url}/tasks`);
        const table = page.getByTestId("tasks-table");
        await table.getByText("nightly-database-backup").waitFor();
        await expectNoSidewaysScroll(page, "tasks");
        await expectInsideWindow(table.locator(".row-actions button, .row-actions a"), "row actions");
        expect(await brokenWords(page)).toEqual([]);
        await shot("tasks");
      });

      it("task page: no sideways scroll, no broken words", async () => {
        await page.goto(`${suite.url}/tasks/${taskId}`);
        await page.getByTestId("task-title").waitFor();
        await page.getByTestId("runs-table").locator("tbody tr").first().waitFor();
        await expectNoSidewaysScroll(page, "task page");
        await expectInsideWindow(page.getByTestId("runs-table").locator("tbody td"), "task's runs");
        expect(await brokenWords(page)).toEqual([]);
        await shot("task");
      });

      it("run page: the output comes before the run's metadata", async () => {
        await page.goto(`${suite.url}/runs/${runId}`);
        const output = page.getByTestId("run-output");
        await output.getByText("step 8: copying table_8").waitFor();
        const outputBox = await page.getByRole("region", { name: lang === "en" ? "Output" : "输出" }).boundingBox();
        const factsBox = await page.getByTestId("run-facts").boundingBox();
        expect(outputBox?.y).toBeLessThan(factsBox?.y ?? 0);
        // The output starts on the first screen.
        expect(outputBox?.y).toBeLessThan(PHONE.height);
        await expectNoSidewaysScroll(page, "run page");
        expect(await brokenWords(page)).toEqual([]);
        await shot("run");
      });

      it("task form: the cron builder's pickers on screen", async () => {
        await page.goto(`${suite.url}/tasks/${taskId}/edit`);
        const builder = page.getByTestId("cron-builder");
        await builder.locator("select, input").first().waitFor();
        await expectNoSidewaysScroll(page, "task form");
        await expectInsideWindow(builder.locator("select, input"), "cron builder controls");
        expect(await brokenWords(page)).toEqual([]);
      });

      it("secrets page: every row's actions on screen, no sideways scroll, no broken words", async () => {
        await page.goto(`${suite.url}/secrets`);
        const table = page.getByTestId("secrets-table");
        await table.getByText("BACKUP_PASSWORD", { exact: true }).waitFor();
        await expectNoSidewaysScroll(page, "secrets");
        await expectInsideWindow(table.locator(".row-actions button"), "row actions");
        expect(await brokenWords(page)).toEqual([]);
        await shot("secrets");
      });

      it("runs page: every run's cells on screen", async () => {
        await page.goto(`${suite.url}/runs`);
        const cells = page.locator("table tbody td");
        await cells.first().waitFor();
        await expectNoSidewaysScroll(page, "runs");
        await expectInsideWindow(cells, "runs cells");
        expect(await brokenWords(page)).toEqual([]);
      });

      it("audit log: user names whole", async () => {
        await page.goto(`${suite.url}/audit`);
        await page.locator("table tbody tr").first().waitFor();
        await expectNoSidewaysScroll(page, "audit");
        expect(await brokenWords(page)).toEqual([]);
      });

      it("overview: chart labels drawn at 11 px or more", async () => {
        await page.goto(`${suite.url}/`);
        await page.locator(".chart-svg text").first().waitFor();
        const sizes = await chartLabelSizes(page);
        expect(sizes.length).toBeGreaterThan(4);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
        await expectNoSidewaysScroll(page, "overview");
        expect(await brokenWords(page)).toEqual([]);
      });
    });
  }
});

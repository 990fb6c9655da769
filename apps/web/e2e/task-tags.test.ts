import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiSignIn, apiWithToken, createApiToken, signedInPage } from "./support/auth.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./support/server.ts";

// Tags and owner in the dashboard, in English and Chinese, against the built dashboard and the real
// server: typed as chips in the form, shown in the list, filtered by a click on a chip, by the tag
// filter and by owner, with the filters kept in the address.

interface TaskJson {
  id: number;
  name: string;
  tags: string[];
  owner: string;
}

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("task tags in the dashboard", () => {
  let server: RunningServer;
  let browser: Browser;
  let api: ReturnType<typeof apiWithToken>;

  const createTask = (name: string, changes: Record<string, unknown> = {}) =>
    api<TaskJson>(
      "POST",
      "/api/tasks",
      { name, mode: "SHELL", cron: "0 0 1 1 *", command: "echo tags", ...changes },
      201,
    );
  const openPage = (locale: string) => signedInPage(browser, server.url, { locale });
  const rowNames = async (page: Page) =>
    (await page.getByTestId("task-link").allTextContents()).map((name) => name.trim()).sort();

  beforeAll(async () => {
    assertDashboardBuilt();
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    const token = await createApiToken(server.url, await apiSignIn(server.url), { name: "e2e tags" });
    api = apiWithToken(server.url, token);
    await createTask("tg-web", { tags: ["prod", "web"], owner: "web team" });
    await createTask("tg-db", { tags: ["prod", "数据库"], owner: "运维组" });
    await createTask("tg-test", { tags: ["staging"] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  describe("in English", () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      ({ context, page } = await openPage("en-US"));
    });
    afterAll(async () => context?.close());

    it("saves tags typed as chips and an owner from the form", async () => {
      await page.goto(`${server.url}/tasks/new`);
      await page.locator("#task-name").fill("tg-form");
      await page.locator("#task-command").fill("echo form");
      await page.locator("#task-cron").fill("0 0 1 1 *");
      const tags = page.getByLabel("Tags", { exact: true });
      await tags.fill("nightly");
      await tags.press("Enter");
      await tags.fill("db/backup");
      await tags.press(",");
      await page.getByTestId("tag-input-chip").filter({ hasText: "db/backup" }).waitFor();
      await page.getByLabel("Owner", { exact: true }).fill("alice");
      await page.getByTestId("task-form-submit").click();
      await page.getByTestId("task-title").filter({ hasText: "tg-form" }).waitFor();
      const id = Number(page.url().match(/\/tasks\/(\d+)$/)?.[1]);
      expect(await api<TaskJson>("GET", `/api/tasks/${id}`)).toMatchObject({
        tags: ["nightly", "db/backup"],
        owner: "alice",
      });
      expect(await page.getByTestId("detail-owner").textContent()).toBe("alice");
      // A chip on the task page opens the list filtered by its tag.
      await page.getByRole("button", { name: "Show tasks tagged nightly" }).click();
      await page.waitForURL(/\/tasks\?tag=nightly$/);
      await page.getByRole("row").filter({ hasText: "tg-form" }).waitFor();
      expect(await rowNames(page)).toEqual(["tg-form"]);
    });

    it("filters by a clicked chip, by a second tag from the filter, and by owner, in the address", async () => {
      await page.goto(`${server.url}/tasks?q=tg-`);
      await page.getByRole("row").filter({ hasText: "tg-test" }).waitFor();
      await page
        .getByRole("row")
        .filter({ hasText: "tg-web" })
        .getByRole("button", { name: "Show tasks tagged prod" })
        .click();
      await page.waitForURL((url) => url.searchParams.getAll("tag").join() === "prod");
      await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(["tg-db", "tg-web"]);

      await page.getByTestId("filter-tag").selectOption("web");
      await page.waitForURL((url) => url.searchParams.getAll("tag").join() === "prod,web");
      await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(["tg-web"]);

      // Reloading keeps the filters; removing one widens the list again.
      await page.reload();
      await page.getByRole("button", { name: "Stop filtering by tag web" }).click();
      await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(["tg-db", "tg-web"]);

      await page.getByTestId("filter-owner").fill("web team");
      await page.waitForURL((url) => url.searchParams.get("owner") === "web team");
      await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(["tg-web"]);
    });

    it("adds and removes a tag on a selection from the bulk bar", async () => {
      await page.goto(`${server.url}/tasks?q=tg-&sort=name&order=asc`);
      await page.getByRole("row").filter({ hasText: "tg-test" }).waitFor();
      await page.getByRole("checkbox", { name: "Select tg-db" }).check();
      await page.getByRole("checkbox", { name: "Select tg-test" }).check();
      await page.getByTestId("bulk-tag").fill("team:ops");
      await page.getByTestId("bulk-bar").getByRole("button", { name: "Add tag" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "Tagged: 2." }).waitFor();
      const tagged = await api<{ items: TaskJson[] }>("GET", "/api/tasks?tag=team:ops");
      expect(tagged.items.map((task) => task.name).sort()).toEqual(["tg-db", "tg-test"]);
      await page
        .getByRole("row")
        .filter({ hasText: "tg-test" })
        .getByRole("button", { name: "Show tasks tagged team:ops" })
        .waitFor();

      await page.getByRole("checkbox", { name: "Select tg-test" }).check();
      await page.getByTestId("bulk-tag").fill("TEAM:OPS");
      await page.getByTestId("bulk-bar").getByRole("button", { name: "Remove tag" }).click();
      await page.getByTestId("bulk-outcome").filter({ hasText: "Untagged: 1." }).waitFor();
      const left = await api<{ items: TaskJson[] }>("GET", "/api/tasks?tag=team:ops");
      expect(left.items.map((task) => task.name)).toEqual(["tg-db"]);
    });
  });

  describe("in Chinese", () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      ({ context, page } = await openPage("zh-CN"));
    });
    afterAll(async () => context?.close());

    it("按标签和负责人筛选", async () => {
      await page.goto(`${server.url}/tasks?q=tg-`);
      await page.getByRole("row").filter({ hasText: "tg-test" }).waitFor();
      await page
        .getByRole("row")
        .filter({ hasText: "tg-db" })
        .getByRole("button", { name: "只看带标签 数据库 的任务" })
        .click();
      await page.waitForURL((url) => url.searchParams.getAll("tag").join() === "数据库");
      await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(["tg-db"]);
      expect(await page.getByTestId("task-owner").first().textContent()).toBe("负责人：运维组");

      await page.getByRole("button", { name: "取消按标签 数据库 筛选" }).click();
      await page.getByTestId("filter-owner").fill("运维组");
      await page.waitForURL((url) => url.searchParams.get("owner") === "运维组");
      await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(["tg-db"]);
    });
  });
});

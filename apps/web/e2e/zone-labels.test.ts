import { describe, expect, it } from "vitest";
import { signedInPage } from "./support/auth.ts";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite } from "./support/suite.ts";

// Issue 15: times in lists carry their zone, and the form's default zone is the server's (what the
// API gives a task sent without one), not the browser's. The server runs in Shanghai, the browser
// in New York, so every mix-up shows.

const SERVER_ZONE = "Asia/Shanghai";
const BROWSER_ZONE = "America/New_York";

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("time zones in the dashboard", () => {
  const suite = browserSuite({ tokenName: "e2e zones", env: { TZ: SERVER_ZONE } });
  const openPage = (locale: string) => signedInPage(suite.browser, suite.url, { locale, timezoneId: BROWSER_ZONE });

  it("defaults a new task to the server's zone and lists its next run at 03:00 with the zone named", async () => {
    const { context, page } = await openPage("en-US");
    await page.goto(`${suite.url}/tasks/new`);
    const zone = page.getByLabel("Time zone", { exact: true });
    await zone.waitFor();
    expect(await zone.inputValue()).toBe(SERVER_ZONE);

    await page.getByLabel("Name", { exact: true }).fill("zone-form");
    await page.getByLabel("Command", { exact: true }).fill("echo zones");
    await page.getByLabel("Cron expression", { exact: true }).fill("0 3 * * *");
    await page.getByRole("button", { name: "Create task" }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    const id = Number(page.url().match(/(\d+)$/)?.[1]);

    // The same task made through the API without a zone gets the same zone: form and API agree.
    const viaApi = await suite.api<{ timezone: string }>(
      "POST",
      "/api/tasks",
      { name: "zone-api", mode: "SHELL", cron: "0 3 * * *", command: "echo zones" },
      201,
    );
    expect(viaApi.timezone).toBe(SERVER_ZONE);
    expect((await suite.api<{ timezone: string }>("GET", `/api/tasks/${id}`)).timezone).toBe(SERVER_ZONE);

    await page.goto(`${suite.url}/tasks?q=zone-`);
    for (const name of ["zone-form", "zone-api"]) {
      const nextRun = page.getByRole("row").filter({ hasText: name }).getByTestId("next-run");
      await nextRun.waitFor();
      expect(await nextRun.textContent()).toMatch(/03:00:00 Asia\/Shanghai$/);
    }

    // A list of events without a task zone shows the viewer's offset (New York: GMT-5 or GMT-4).
    await page.goto(`${suite.url}/audit`);
    const when = page
      .getByRole("row")
      .filter({ has: page.locator('[data-action="task.create"]') })
      .first()
      .locator("time");
    await when.waitFor();
    expect(await when.textContent()).toMatch(/\d\d:\d\d:\d\d GMT-[45]$/);
    await context.close();
  });

  it("does the same in Chinese", async () => {
    const { context, page } = await openPage("zh-CN");
    await page.goto(`${suite.url}/tasks/new`);
    const zone = page.getByLabel("时区", { exact: true });
    await zone.waitFor();
    expect(await zone.inputValue()).toBe(SERVER_ZONE);

    await page.goto(`${suite.url}/tasks?q=zone-form`);
    const nextRun = page.getByRole("row").filter({ hasText: "zone-form" }).getByTestId("next-run");
    await nextRun.waitFor();
    expect(await nextRun.textContent()).toMatch(/03:00:00 Asia\/Shanghai$/);
    await context.close();
  });
});

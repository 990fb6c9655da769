import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiSignIn, apiWithToken, createApiToken, signedInPage } from "./support/auth.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./support/server.ts";

// The task form's feedback: the "fix the fields" banner lasts only while a field is still marked,
// and a save is confirmed on the task's page.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("task form feedback", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let api: ReturnType<typeof apiWithToken>;

  beforeAll(async () => {
    assertDashboardBuilt();
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    ({ page } = await signedInPage(browser, server.url, { locale: "en-US" }));
    api = apiWithToken(
      server.url,
      await createApiToken(server.url, await apiSignIn(server.url), { name: "e2e setup" }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const banner = () => page.getByTestId("task-form").getByRole("alert").filter({ hasText: "Please fix the fields" });
  const name = () => page.getByLabel("Name", { exact: true });
  const shell = (taskName: string) => ({ name: taskName, mode: "SHELL", cron: "0 5 * * *", command: "true" });

  it("drops the banner once the marked fields are fixed, after a client-side and a server-side refusal", async () => {
    await api("POST", "/api/tasks", shell("taken-name"), 201);
    const { id } = await api<{ id: number }>("POST", "/api/tasks", shell("form-feedback"), 201);
    await page.goto(`${server.url}/tasks/${id}/edit`);

    await name().fill("");
    await page.getByRole("button", { name: "Save changes" }).click();
    await banner().waitFor();
    await name().fill("form-feedback-2");
    await banner().waitFor({ state: "detached" });
    expect(await page.getByTestId("error-task-name").count()).toBe(0);

    // Refused by the server (the name is taken): marked, then fixed the same way.
    await name().fill("taken-name");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByTestId("error-task-name").waitFor();
    await banner().waitFor();
    await name().fill("form-feedback-3");
    await banner().waitFor({ state: "detached" });
  });

  it("confirms a save on the task's page, once", async () => {
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(/\/tasks\/\d+$/);
    expect(await page.getByTestId("task-title").textContent()).toBe("form-feedback-3");
    const saved = page.getByRole("status").filter({ hasText: "Saved." });
    await saved.waitFor();
    await page.reload();
    await page.getByTestId("task-title").waitFor();
    expect(await saved.count()).toBe(0);
  });
});

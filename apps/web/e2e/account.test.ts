import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, apiSignIn, createApiToken, signedInPage } from "./support/auth.ts";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { assertDashboardBuilt, type RunningServer, startServer } from "./support/server.ts";

// A signed-in user changes their own password from the dashboard, in Chinese and in English.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("changing your own password", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let token: string;
  const newPassword = "a-brand-new-password-42";

  beforeAll(async () => {
    assertDashboardBuilt();
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    token = await createApiToken(server.url, await apiSignIn(server.url), { name: "script" });
    ({ page } = await signedInPage(browser, server.url, { locale: "zh-CN" }));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("refuses a wrong current password in Chinese, marking the field", async () => {
    await page.getByTestId("change-password-link").click();
    await page.waitForURL(`${server.url}/account`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("修改密码");
    await page.getByLabel("当前密码", { exact: true }).fill("not-my-password");
    await page.getByLabel("新密码", { exact: true }).fill(newPassword);
    await page.getByLabel("再次输入新密码", { exact: true }).fill(newPassword);
    await page.getByTestId("password-form").getByRole("button", { name: "修改密码" }).click();
    await page.getByTestId("error-current-password").waitFor();
    expect(await page.getByTestId("error-current-password").textContent()).toBe("当前密码不正确");
    // Still signed in: a wrong password is not an expired session.
    expect(page.url()).toBe(`${server.url}/account`);
  });

  it("changes it in English; the old password and the user's API token stop working", async () => {
    await page.getByRole("button", { name: "切换到英文" }).click();
    await page.getByLabel("Current password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("New password again", { exact: true }).fill(newPassword);
    await page.getByTestId("password-form").getByRole("button", { name: "Change password" }).click();
    const done = page.getByRole("status").filter({ hasText: "Password changed." });
    await done.waitFor();
    // The setup session (apiSignIn) and the setup token both ended.
    expect(await done.textContent()).toContain("API tokens revoked: 1. Other sessions signed out: 1.");
    expect(await page.getByLabel("Current password", { exact: true }).inputValue()).toBe("");

    const login = (password: string) =>
      fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: ADMIN.username, password }),
      }).then((r) => r.status);
    expect(await login(ADMIN.password)).toBe(401);
    expect(await login(newPassword)).toBe(200);
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    // This browser's session goes on.
    await page.goto(`${server.url}/tokens`);
    await page.getByTestId("user-menu").filter({ hasText: ADMIN.username }).waitFor();
  });
});

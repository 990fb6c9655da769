import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Credentials } from "./support/auth.ts";
import { chromiumAvailable } from "./support/browser.ts";
import { screenshotDir } from "./support/screenshots.ts";
import { browserSuite, signedInView, waitForRunEnd } from "./support/suite.ts";

// Secrets and a task's environment (issue 16) from the dashboard, against the real server: an
// admin keeps a secret on the Secrets page, a SHELL task gets GREETING from its environment and
// the secret through ${secret:TOKEN}, and its run shows the secret only as ***. A viewer is not
// offered the page; a server without SECRETS_KEY says how to turn secrets on.

const hasChromium = chromiumAvailable();
const VIEWER: Credentials = { username: "sam-viewer", password: "sam-views-only-0001" };
const COMMAND = `echo "$GREETING \${secret:TOKEN}"`;

const WORDS = {
  "en-US": {
    mainNav: "Main navigation",
    nav: "Secrets",
    newSecret: "+ New secret",
    newSecretTitle: "New secret",
    name: "Name",
    value: "Value",
    createSecret: "Create secret",
    replaceFor: "Replace the value of TOKEN",
    replace: "Replace",
    deleteFor: "Delete TOKEN",
    deleteTitle: "Delete this secret?",
    delete: "Delete",
    empty: "No secrets yet.",
    command: "Command",
    cron: "Cron expression",
    environment: "Environment",
    createTask: "Create task",
    runNow: "Run now",
    audit: ["Created secret", "Replaced secret value", "Deleted secret"],
    forbidden: "needs the Admin role",
    disabled: "Set SECRETS_KEY or SECRETS_KEY_FILE",
  },
  "zh-CN": {
    mainNav: "主导航",
    nav: "密钥",
    newSecret: "+ 新建密钥",
    newSecretTitle: "新建密钥",
    name: "名称",
    value: "值",
    createSecret: "创建密钥",
    replaceFor: "替换 TOKEN 的值",
    replace: "替换",
    deleteFor: "删除 TOKEN",
    deleteTitle: "删除此密钥？",
    delete: "删除",
    empty: "还没有密钥。",
    command: "命令",
    cron: "Cron 表达式",
    environment: "环境变量",
    createTask: "创建任务",
    runNow: "立即执行",
    audit: ["创建密钥", "替换密钥值", "删除密钥"],
    forbidden: "需要 管理员 角色",
    disabled: "设置 SECRETS_KEY 或 SECRETS_KEY_FILE",
  },
} as const;

describe.skipIf(!hasChromium)("secrets and environment in the dashboard", () => {
  const suite = browserSuite({
    tokenName: "e2e secrets",
    env: { SECRETS_KEY: "e2e-secrets-key-0123456789abcdef" },
  });

  beforeAll(async () => {
    await suite.api("POST", "/api/users", { ...VIEWER, role: "viewer" }, 201);
  });

  for (const locale of ["en-US", "zh-CN"] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);
      const w = WORDS[locale];
      // A value per language, so one run's output can never show the other's.
      const first = `first-${locale}-7f3a91`;
      const value = `tok-${locale}-c0ffee42`;

      it(`keeps a secret a SHELL task reads as \${secret:TOKEN}, next to GREETING from its environment`, async () => {
        const { page } = view;
        const field = (label: string) => page.getByLabel(label, { exact: true });
        await page.goto(`${suite.url}/`);
        await page.getByRole("navigation", { name: w.mainNav }).getByRole("link", { name: w.nav, exact: true }).click();
        await page.waitForURL(/\/secrets$/);
        await page.getByText(w.empty, { exact: true }).waitFor();

        await page.getByRole("button", { name: w.newSecret }).click();
        const create = page.getByRole("dialog", { name: w.newSecretTitle });
        await create.getByLabel(w.name, { exact: true }).fill("TOKEN");
        const input = create.getByLabel(w.value, { exact: true });
        expect(await input.getAttribute("type")).toBe("password");
        await input.fill(first);
        await create.getByRole("button", { name: w.createSecret }).click();
        const row = page.getByTestId("secret-row-TOKEN");
        await row.waitFor();
        expect(await row.textContent()).toContain(`\${secret:TOKEN}`);

        // Rotating the value: the task made next gets the new one without knowing of the change.
        await row.getByRole("button", { name: w.replaceFor }).click();
        const replace = page.getByRole("dialog", { name: w.replaceFor });
        await replace.getByLabel(w.value, { exact: true }).fill(value);
        await replace.getByRole("button", { name: w.replace, exact: true }).click();
        await replace.waitFor({ state: "detached" });
        const listed = await suite.api<{ items: Record<string, unknown>[] }>("GET", "/api/secrets");
        expect(JSON.stringify(listed)).not.toContain(value);
        expect(listed.items.map((s) => s.name)).toEqual(["TOKEN"]);

        await page.goto(`${suite.url}/tasks/new`);
        await field(w.name).fill(`greet-${locale}`);
        await field(w.command).fill(COMMAND);
        await field(w.cron).fill("0 4 1 1 *");
        await field(w.environment).fill("GREETING=hello");
        await page.getByRole("button", { name: w.createTask }).click();
        await page.waitForURL(/\/tasks\/\d+$/);
        const settings = page.getByTestId("task-settings");
        await settings.waitFor();
        expect(await page.getByTestId("detail-env").textContent()).toBe("GREETING=hello");
        const taskId = Number(page.url().match(/(\d+)$/)?.[1]);
        expect(await suite.api<{ env: unknown }>("GET", `/api/tasks/${taskId}`)).toMatchObject({
          command: COMMAND,
          env: { GREETING: "hello" },
        });

        await page.getByRole("button", { name: w.runNow }).click();
        await page.waitForURL(/\/runs\/\d+$/);
        const runId = Number(page.url().match(/(\d+)$/)?.[1]);
        const output = page.getByTestId("run-output");
        await output.filter({ hasText: "hello ***" }).waitFor({ timeout: 60_000 });
        const run = await waitForRunEnd(suite.api, runId);
        expect(run.status).toBe("SUCCEEDED");
        expect(run.output.trim()).toBe("hello ***");
        const shown = (await page.locator("body").textContent()) ?? "";
        expect(shown).not.toContain(value);
        expect(shown).not.toContain(first);
        await page.screenshot({ path: join(screenshotDir, `secrets-run-${locale}.png`), fullPage: true });

        // Deleting asks first; the audit log says who changed which secret, in the reader's words.
        await page.goto(`${suite.url}/secrets`);
        await page.getByTestId("secret-row-TOKEN").getByRole("button", { name: w.deleteFor }).click();
        const confirm = page.getByRole("dialog", { name: w.deleteTitle });
        expect(await confirm.textContent()).toContain(`\${secret:TOKEN}`);
        await confirm.getByRole("button", { name: w.delete, exact: true }).click();
        await page.getByText(w.empty, { exact: true }).waitFor();

        await page.goto(`${suite.url}/audit`);
        const table = page.getByRole("table");
        await table.waitFor();
        for (const action of w.audit) await table.getByText(action, { exact: true }).first().waitFor();
        expect((await page.locator("body").textContent()) ?? "").not.toContain(value);
      });
    });

    describe(`${locale}, as a viewer`, () => {
      const view = signedInView(suite, locale, VIEWER);
      const w = WORDS[locale];

      it("is not offered the Secrets page, and is told why when opening it", async () => {
        const { page } = view;
        const nav = page.getByRole("navigation", { name: w.mainNav });
        await nav.getByRole("link").first().waitFor();
        expect(await nav.getByRole("link", { name: w.nav, exact: true }).count()).toBe(0);
        await page.goto(`${suite.url}/secrets`);
        const forbidden = page.getByTestId("forbidden");
        await forbidden.waitFor();
        expect(await forbidden.textContent()).toContain(w.forbidden);
      });
    });
  }
});

describe.skipIf(!hasChromium)("secrets on a server without SECRETS_KEY", () => {
  const suite = browserSuite({ tokenName: "e2e secrets off" });

  for (const locale of ["en-US", "zh-CN"] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);

      it("says how to turn secrets on instead of offering a form", async () => {
        const { page } = view;
        await page.goto(`${suite.url}/secrets`);
        const note = page.getByTestId("secrets-disabled");
        await note.waitFor();
        expect(await note.textContent()).toContain(WORDS[locale].disabled);
        expect(await page.getByRole("button", { name: WORDS[locale].newSecret }).count()).toBe(0);
      });
    });
  }
});

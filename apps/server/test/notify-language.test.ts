import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { type SmtpHarness, startHttpTarget, startSmtpServer } from "@crondeck/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { ConfigError } from "../src/config.ts";
import { actAs, createTask, eventually, runNow, waitForRun } from "./helpers.ts";

// Notifications people can read: a task's notifyLanguage (else NOTIFY_LANGUAGE) picks the language,
// times are shown in the task's zone, and the run link is in the message. Real SMTP server, real
// webhook receiver, real shell, on SQLite and MariaDB.

const providers = await testProviders();
const PUBLIC_URL = "https://crondeck.example.test";

/** The wall-clock time in Shanghai (UTC+8 all year), worked out without the code under test. */
function shanghai(iso: string): string {
  const local = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)} (Asia/Shanghai)`;
}

describe("NOTIFY_LANGUAGE", () => {
  it("defaults to en and refuses anything but zh or en", () => {
    expect(loadConfig({}).notifyLanguage).toBe("en");
    expect(loadConfig({ NOTIFY_LANGUAGE: "ZH" }).notifyLanguage).toBe("zh");
    expect(() => loadConfig({ NOTIFY_LANGUAGE: "fr" })).toThrow(ConfigError);
    expect(() => loadConfig({ NOTIFY_LANGUAGE: "fr" })).toThrow(/NOTIFY_LANGUAGE/);
  });
});

describe.each(providers)("notification language on %s", (provider) => {
  let app: FastifyInstance;
  let drop: () => Promise<void>;
  let smtp: SmtpHarness;
  let hook: Awaited<ReturnType<typeof startHttpTarget>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    hook = await startHttpTarget(() => ({ body: '{"errcode":0,"errmsg":"ok"}' }));
    const database = createTestDatabase(provider);
    drop = () => database.drop();
    // The server's default is Chinese here, so a task without a language must be told in Chinese.
    const config = loadConfig(
      {
        TZ: "UTC",
        PUBLIC_URL,
        NOTIFY_RETRY_BASE_MS: "10",
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        NOTIFY_LANGUAGE: "zh",
      },
      { databaseUrl: database.url, webDist: "/nonexistent", scheduler: false, logLevel: "silent" },
    );
    app = await buildApp(config);
    await app.ready();
    await actAs(app, "admin");
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
    await smtp?.close();
    await hook?.close();
  });

  const failing = (changes: Record<string, unknown>) =>
    createTask(app, {
      command: "echo 'dumping...'; echo 'ERROR: disk full' >&2; exit 3",
      timezone: "Asia/Shanghai",
      retryCount: 1,
      retryIntervalSeconds: 0,
      notifyPolicy: "ON_FAILURE",
      ...changes,
    });

  /** Runs the task until its last attempt has a delivery recorded; returns that attempt. */
  async function lastAttempt(taskId: number) {
    await runNow(app, taskId);
    return eventually(async () => {
      const res = await app.inject({ method: "GET", url: `/api/tasks/${taskId}/runs?pageSize=10` });
      const runs = res.json().items as Array<{ id: number; attempt: number }>;
      const last = runs.find((r) => r.attempt === 2);
      if (!last) return undefined;
      const run = await waitForRun(app, last.id, (r) => Array.isArray(r.notifications) && r.notifications.length > 0);
      return run as unknown as Record<string, unknown> & { id: number; startedAt: string; scheduledAt: string };
    });
  }

  it("stores, returns, exports and validates notifyLanguage", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: { name: "lang-bad", mode: "SHELL", cron: "* * * * *", command: "true", notifyLanguage: "fr" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((d: { field: string }) => d.field)).toContain("notifyLanguage");
    expect(await app.database.db.task.count({ where: { name: "lang-bad" } })).toBe(0);

    const task = await createTask(app, { notifyLanguage: "zh" });
    const got = await app.inject({ method: "GET", url: `/api/tasks/${task.id}` });
    expect(got.json().notifyLanguage).toBe("zh");
    const exported = await app.inject({ method: "GET", url: `/api/tasks/export?ids=${task.id}` });
    expect(exported.statusCode).toBe(200);
    expect(exported.body).toContain("notifyLanguage: zh");

    const patched = await app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { notifyLanguage: null },
    });
    expect(patched.json().notifyLanguage).toBeNull();
    const plain = await createTask(app);
    expect((await app.inject({ method: "GET", url: `/api/tasks/${plain.id}` })).json().notifyLanguage).toBeNull();

    const settings = await app.inject({ method: "GET", url: "/api/settings" });
    expect(settings.json().notifyLanguage).toBe("zh");
  });

  it("a failing SHELL task in zh sends a Chinese email with local times in its zone and the run link", async () => {
    const task = await failing({ notifyLanguage: "zh", notifyChannel: "EMAIL", notifyEmails: "zh@x.test" });
    const run = await lastAttempt(task.id);
    expect(run.status).toBe("FAILED");
    const [mail] = await eventually(async () => {
      const mails = smtp.forTask(task.id);
      return mails.length > 0 ? mails : undefined;
    });
    expect(mail?.subject).toBe(`[Crondeck] ${task.name} 执行失败`);
    expect(mail?.text).toContain(`任务“${task.name}”第 2 次（共 2 次）尝试执行失败（退出码 3）。`);
    expect(mail?.text).toContain(shanghai(run.startedAt));
    expect(mail?.text).toContain(shanghai(run.scheduledAt));
    expect(mail?.text).toContain("计划时间");
    expect(mail?.text).toContain("ERROR: disk full");
    expect(mail?.text).toContain(`${PUBLIC_URL}/runs/${run.id}`);
    expect(mail?.text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(mail?.html).toContain("在 Crondeck 中查看本次执行");
    expect(smtp.forTask(task.id)).toHaveLength(1);
  });

  it("a DingTalk webhook gets the same message in Chinese, native markdown", async () => {
    const task = await failing({
      notifyLanguage: "zh",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/robot/send?access_token=zh-token`,
      notifyWebhookFormat: "DINGTALK",
    });
    const run = await lastAttempt(task.id);
    const received = hook.received.find((r) => r.body.includes(task.name));
    const body = JSON.parse(received?.body ?? "{}");
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.title).toBe(`[Crondeck] ${task.name} 执行失败`);
    expect(body.markdown.text).toContain(`- **开始时间:** ${shanghai(run.startedAt)}`);
    expect(body.markdown.text).toContain(`(${PUBLIC_URL}/runs/${run.id})`);
  });

  it("a task without a language follows the server's default; one in en is told in English", async () => {
    const byDefault = await failing({ notifyChannel: "EMAIL", notifyEmails: "default@x.test" });
    const english = await failing({ notifyLanguage: "en", notifyChannel: "EMAIL", notifyEmails: "en@x.test" });
    const [defaultRun, englishRun] = await Promise.all([lastAttempt(byDefault.id), lastAttempt(english.id)]);
    const mailOf = (taskId: number) =>
      eventually(async () => smtp.forTask(taskId)[0] ?? undefined, 30_000, `mail of task ${taskId}`);
    const zh = await mailOf(byDefault.id);
    expect(zh.subject).toBe(`[Crondeck] ${byDefault.name} 执行失败`);
    expect(zh.text).toContain(shanghai(defaultRun.startedAt));
    const en = await mailOf(english.id);
    expect(en.subject).toBe(`[Crondeck] ${english.name} failed`);
    expect(en.text).toContain(`Task “${english.name}” failed on attempt 2 of 2 (exit code 3).`);
    expect(en.text).toContain(shanghai(englishRun.startedAt));
    expect(en.text).toContain(`${PUBLIC_URL}/runs/${englishRun.id}`);
  });

  it("the test message describes the task being edited, in its language, marked as a test", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/notifications/test",
      payload: {
        notifyChannel: "EMAIL",
        notifyEmails: "form@x.test",
        name: "form-task",
        mode: "SHELL",
        timezone: "Asia/Shanghai",
        notifyLanguage: "zh",
        retryCount: 2,
        notifyPolicy: "ON_KEYWORD",
        notifyKeywords: "OOM，DISK_FULL",
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, attempts: 1 });
    const mail = smtp.messages.find((m) => m.to.includes("form@x.test"));
    expect(mail?.subject).toBe("[Crondeck] form-task 的测试消息");
    expect(mail?.text).toContain("这是一条来自 Crondeck 的测试消息");
    expect(mail?.text).toContain("输出中包含关键字 OOM、DISK_FULL。");
    expect(mail?.text).toMatch(/\(Asia\/Shanghai\)/);
    expect(mail?.text).not.toContain("/runs/");

    const stored = await createTask(app, {
      name: `stored-${Date.now()}`,
      timezone: "Asia/Shanghai",
      notifyLanguage: "en",
    });
    const again = await app.inject({
      method: "POST",
      url: "/api/notifications/test",
      payload: { notifyChannel: "EMAIL", notifyEmails: "stored@x.test", taskId: stored.id },
    });
    expect(again.json()).toMatchObject({ ok: true });
    const storedMail = smtp.messages.find((m) => m.to.includes("stored@x.test"));
    expect(storedMail?.subject).toBe(`[Crondeck] Test message for ${stored.name}`);

    const badZone = await app.inject({
      method: "POST",
      url: "/api/notifications/test",
      payload: { notifyChannel: "EMAIL", notifyEmails: "zone@x.test", timezone: "Mars/Olympus" },
    });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().details[0].field).toBe("timezone");
  });
});

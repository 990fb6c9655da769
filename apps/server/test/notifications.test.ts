import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { closedPort, type SmtpHarness, startHttpTarget, startSmtpServer } from "@crondeck/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { ConfigError, notifyConfig } from "../src/config.ts";
import { actAs, createTask, eventually, runNow, taskRuns, waitForRun } from "./helpers.ts";

// Notifications end to end: tasks created and run through the API, messages received by a real SMTP
// server and a real HTTP receiver, deliveries read back from GET /api/runs/:id.

const providers = await testProviders();

const SMTP_PASSWORD = "smtp-P4ss-7f3a9c";
const CLOSED_SMTP_PASSWORD = "closed-P4ss-81b2e0";
const JSON_SECRET = "whsec-json-5d1e0f";
const DINGTALK_SECRET = "SECdingtalk9a8b7c6d5e";
const DINGTALK_TOKEN = "dt-token-0a1b2c3d";
const FEISHU_SECRET = "feishu-secret-3c4d5e";
const FEISHU_HOOK_ID = "feishu-hook-6f7a8b9c";
const SECRETS = [SMTP_PASSWORD, CLOSED_SMTP_PASSWORD, JSON_SECRET, DINGTALK_SECRET, DINGTALK_TOKEN, FEISHU_SECRET];
const PUBLIC_URL = "https://crondeck.example.test";

interface Delivery {
  channel: string;
  target: string;
  ok: boolean;
  error: string | null;
  attempts: number;
  sentAt: string;
}

interface RunDetail {
  id: number;
  status: string;
  attempt: number;
  trigger: string;
  output: string;
  notifications: Delivery[];
  [key: string]: unknown;
}

interface LoggedApp {
  app: FastifyInstance;
  /** Everything the app logged so far (pino JSON lines). */
  log(): string;
  close(): Promise<void>;
}

/** A real app whose notify settings come from the environment, logging at debug into memory. */
async function startLoggedApp(provider: "sqlite" | "mysql", env: Record<string, string>): Promise<LoggedApp> {
  const database = createTestDatabase(provider);
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  const config = loadConfig(
    { TZ: "UTC", PUBLIC_URL, NOTIFY_RETRY_BASE_MS: "10", ...env },
    { databaseUrl: database.url, logLevel: "debug", webDist: "/nonexistent", scheduler: false },
  );
  const app = await buildApp(config, { logger: { level: "debug", stream } });
  await app.ready();
  await actAs(app, "admin");
  return {
    app,
    log: () => lines.join(""),
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

async function getRun(app: FastifyInstance, runId: number): Promise<RunDetail> {
  const res = await app.inject({ method: "GET", url: `/api/runs/${runId}` });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Waits for the run to end and for `count` deliveries to be recorded on it. */
async function waitForDeliveries(app: FastifyInstance, runId: number, count = 1): Promise<RunDetail> {
  return (await waitForRun(
    app,
    runId,
    (run) => Array.isArray(run.notifications) && run.notifications.length >= count,
  )) as unknown as RunDetail;
}

function expectNoSecrets(text: string, what: string) {
  for (const secret of SECRETS) expect(text, `${what} must not contain a secret`).not.toContain(secret);
}

const hmac = (key: string, message: string, encoding: "hex" | "base64") =>
  createHmac("sha256", key).update(message).digest(encoding);

describe("notification settings from the environment", () => {
  it("reads SMTP_URL, the SMTP host settings and the retry policy", () => {
    const fromUrl = loadConfig({
      SMTP_URL: "smtp://ops:pw@mail.example.test:2525",
      SMTP_FROM: "Cron <cron@example.test>",
      NOTIFY_RETRY_ATTEMPTS: "5",
      NOTIFY_RETRY_BASE_MS: "250",
      PUBLIC_URL: "https://cron.example.test/",
    });
    expect(notifyConfig(fromUrl)).toMatchObject({
      smtpUrl: "smtp://ops:pw@mail.example.test:2525",
      smtpFrom: "Cron <cron@example.test>",
      publicUrl: "https://cron.example.test",
      retry: { attempts: 5, baseDelayMs: 250 },
    });

    const fromHost = loadConfig({
      SMTP_HOST: "mail.example.test",
      SMTP_PORT: "465",
      SMTP_USER: "ops",
      SMTP_PASSWORD: "pw",
      SMTP_SECURE: "true",
    });
    expect(notifyConfig(fromHost)).toMatchObject({
      smtpHost: "mail.example.test",
      smtpPort: 465,
      smtpUser: "ops",
      smtpPassword: "pw",
      smtpSecure: true,
      smtpFrom: "Crondeck <crondeck@localhost>",
      retry: { attempts: 3, baseDelayMs: 1000 },
    });
    expect(notifyConfig(fromHost).smtpUrl).toBeUndefined();
  });

  it("refuses bad values, without echoing a password", () => {
    const badUrl = () => loadConfig({ SMTP_URL: "http://ops:hunter2-pass@mail.example.test" });
    expect(badUrl).toThrow(ConfigError);
    expect(badUrl).toThrow(/SMTP_URL/);
    try {
      badUrl();
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2-pass");
    }
    expect(() => loadConfig({ SMTP_PORT: "99999" })).toThrow(/SMTP_PORT/);
    expect(() => loadConfig({ SMTP_SECURE: "maybe" })).toThrow(/SMTP_SECURE/);
    expect(() => loadConfig({ NOTIFY_RETRY_ATTEMPTS: "0" })).toThrow(/NOTIFY_RETRY_ATTEMPTS/);
  });
});

describe.each(providers)("notifications on %s", (provider) => {
  let t: LoggedApp;
  let smtp: SmtpHarness;
  let hook: Awaited<ReturnType<typeof startHttpTarget>>;
  let site: Awaited<ReturnType<typeof startHttpTarget>>;

  beforeAll(async () => {
    smtp = await startSmtpServer({ password: SMTP_PASSWORD, refuse: (address) => address.endsWith("@refused.test") });
    hook = await startHttpTarget((req) => {
      // Echoes what it was sent, as careless receivers do: the error stored must still hold no secret.
      if (req.url.startsWith("/echo-fail")) return { status: 500, body: `rejected ${req.url} ${req.body}` };
      if (req.url.startsWith("/robot")) return { body: '{"errcode":0,"errmsg":"ok"}' };
      if (req.url.startsWith("/open-apis")) return { body: '{"code":0,"msg":"success"}' };
      return { body: "ok" };
    });
    site = await startHttpTarget((req) => ({
      body: req.url.startsWith("/hit") ? "quota CRIT: disk at 99%, WARN: inodes" : "all good",
    }));
    t = await startLoggedApp(provider, {
      SMTP_URL: `smtp://crondeck:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
      SMTP_FROM: "Crondeck Test <cron@crondeck.test>",
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await hook?.close();
    await site?.close();
  });

  const hookRequests = (prefix: string) => hook.received.filter((r) => r.url.startsWith(prefix));

  it("sends ONE email to three recipients typed with `,` and `，`", async () => {
    const task = await createTask(t.app, {
      command: "echo mail-me",
      notifyPolicy: "ON_END",
      notifyChannel: "EMAIL",
      notifyEmails: "a@x.test, b@x.test，c@x.test",
    });
    const runId = await runNow(t.app, task.id);
    const run = await waitForDeliveries(t.app, runId);

    expect(run.status).toBe("SUCCEEDED");
    expect(run.notifications).toEqual([
      {
        channel: "EMAIL",
        target: "a@x.test, b@x.test, c@x.test",
        ok: true,
        error: null,
        attempts: 1,
        sentAt: expect.any(String),
      },
    ]);
    const mails = smtp.forTask(task.id);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.to).toEqual(["a@x.test", "b@x.test", "c@x.test"]);
    expect(mail?.from).toBe("cron@crondeck.test");
    expect(mail?.user).toBe("crondeck"); // logged in with the credentials of SMTP_URL
    expect(mail?.subject).toBe(`[Crondeck] ${task.name} succeeded`);
    expect(mail?.header("x-crondeck-run-id")).toBe(String(runId));
    expect(mail?.text).toContain("mail-me");
    expect(mail?.text).toContain(`${PUBLIC_URL}/runs/${runId}`);
  });

  it("ON_FAILURE: silent on success, sent on a failure and on a timeout", async () => {
    const task = await createTask(t.app, {
      command: "echo fine",
      notifyPolicy: "ON_FAILURE",
      notifyChannel: "EMAIL",
      notifyEmails: ["onfail@x.test"],
    });
    const ok = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(ok.status).toBe("SUCCEEDED");

    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { command: "echo broken; exit 1" } });
    const failedId = await runNow(t.app, task.id);
    const failed = await waitForDeliveries(t.app, failedId);
    expect(failed).toMatchObject({ status: "FAILED", exitCode: 1 });
    expect(failed.notifications).toMatchObject([{ channel: "EMAIL", ok: true, target: "onfail@x.test" }]);

    await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { command: "echo slow; sleep 30", timeoutSeconds: 1 },
    });
    const timedOutId = await runNow(t.app, task.id);
    const timedOut = await waitForDeliveries(t.app, timedOutId);
    expect(timedOut.status).toBe("TIMED_OUT");
    expect(timedOut.notifications).toMatchObject([{ ok: true }]);

    // The success, which ended before the two failures began, was never announced.
    expect((await getRun(t.app, ok.id)).notifications).toEqual([]);
    expect(smtp.forRun(ok.id)).toHaveLength(0);
    expect(smtp.forTask(task.id).map((m) => m.subject)).toEqual([
      `[Crondeck] ${task.name} failed`,
      `[Crondeck] ${task.name} timed out`,
    ]);
    expect(smtp.forRun(failedId)[0]?.text).toContain("broken");
  });

  it("ON_FAILURE with retries: one message after the last attempt, recorded on that attempt", async () => {
    const task = await createTask(t.app, {
      command: "echo attempt-failed; exit 1",
      retryCount: 2,
      retryIntervalSeconds: 0,
      notifyPolicy: "ON_FAILURE",
      notifyChannel: "EMAIL",
      notifyEmails: "retries@x.test",
    });
    const firstId = await runNow(t.app, task.id);
    const runs = await eventually(async () => {
      const all = await taskRuns(t.app, task.id);
      return all.length === 3 && all.every((r) => r.status === "FAILED") ? all : undefined;
    });
    const last = runs.find((r) => r.attempt === 3);
    expect(last).toBeDefined();
    const lastRun = await waitForDeliveries(t.app, last?.id as number);
    expect(lastRun.notifications).toMatchObject([{ ok: true, attempts: 1 }]);

    // The fire ends with its notification, so nothing can still be on its way for earlier attempts.
    for (const run of runs.filter((r) => r.attempt < 3)) {
      expect((await getRun(t.app, run.id)).notifications).toEqual([]);
    }
    const mails = smtp.forTask(task.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.header("x-crondeck-run-id")).toBe(String(last?.id));
    expect(mails[0]?.text).toContain("attempt 3");
    expect(runs.find((r) => r.attempt === 1)?.id).toBe(firstId);
  });

  it("ON_END: sent on success and on failure (generic JSON webhook, signed)", async () => {
    const task = await createTask(t.app, {
      command: "echo hello-json",
      notifyPolicy: "ON_END",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/generic/on-end`,
      notifyWebhookSecret: JSON_SECRET,
    });
    expect(task).toMatchObject({ notifyWebhookFormat: "JSON", notifyWebhookSecretSet: true });
    const okRun = await waitForDeliveries(t.app, await runNow(t.app, task.id));
    expect(okRun.status).toBe("SUCCEEDED");
    expect(okRun.notifications).toMatchObject([
      { channel: "WEBHOOK", target: `${hook.url}/generic/on-end`, ok: true, error: null, attempts: 1 },
    ]);

    const [received] = hookRequests("/generic/on-end");
    expect(received?.method).toBe("POST");
    expect(JSON.parse(received?.body ?? "")).toEqual({
      event: "run.finished",
      test: false,
      language: "en",
      task: { id: task.id, name: task.name, mode: "SHELL", timezone: "UTC" },
      message: {
        title: `[Crondeck] ${task.name} succeeded`,
        summary: `Task “${task.name}” succeeded (exit code 0).`,
        text: expect.stringContaining(`${PUBLIC_URL}/runs/${okRun.id}`),
      },
      run: {
        id: okRun.id,
        status: "SUCCEEDED",
        trigger: "MANUAL",
        attempt: 1,
        maxAttempts: 1,
        scheduledAt: okRun.scheduledAt,
        startedAt: okRun.startedAt,
        finishedAt: okRun.finishedAt,
        durationMs: okRun.durationMs,
        exitCode: 0,
        httpStatus: null,
        error: null,
        matchedKeywords: [],
        executor: okRun.executor,
        outputExcerpt: "hello-json",
        outputTruncated: false,
        url: `${PUBLIC_URL}/runs/${okRun.id}`,
      },
    });
    // Checked the way a receiver would: HMAC-SHA256(secret, timestamp + "." + raw body), hex.
    const timestamp = String(received?.headers["x-crondeck-timestamp"]);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
    expect(received?.headers["x-crondeck-signature"]).toBe(
      `sha256=${hmac(JSON_SECRET, `${timestamp}.${received?.body}`, "hex")}`,
    );

    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { command: "echo nope; exit 7" } });
    const failed = await waitForDeliveries(t.app, await runNow(t.app, task.id));
    expect(failed.status).toBe("FAILED");
    expect(failed.notifications).toMatchObject([{ ok: true }]);
    const payloads = hookRequests("/generic/on-end").map((r) => JSON.parse(r.body));
    expect(payloads.map((p) => [p.run.id, p.run.status, p.run.exitCode])).toEqual([
      [okRun.id, "SUCCEEDED", 0],
      [failed.id, "FAILED", 7],
    ]);
  });

  it("ON_KEYWORD on SHELL output: the email lists the keywords that matched; no match, no message", async () => {
    const task = await createTask(t.app, {
      command: "echo all quiet",
      notifyPolicy: "ON_KEYWORD",
      notifyChannel: "EMAIL",
      notifyEmails: "keywords@x.test",
      notifyKeywords: "DISK_FULL， OOM, panic",
    });
    const quiet = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(quiet).toMatchObject({ status: "SUCCEEDED", matchedKeywords: [] });

    await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { command: "echo 'DISK_FULL on /var'; echo 'OOM killer' >&2" },
    });
    const loud = await waitForDeliveries(t.app, await runNow(t.app, task.id));
    expect(loud).toMatchObject({ status: "SUCCEEDED", matchedKeywords: ["DISK_FULL", "OOM"] });
    expect(loud.notifications).toMatchObject([{ channel: "EMAIL", ok: true }]);

    const mails = smtp.forTask(task.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(`[Crondeck] ${task.name} succeeded, keyword matched: DISK_FULL, OOM`);
    expect(mails[0]?.text).toMatch(/Matched keywords:\s+DISK_FULL, OOM/);
    expect((await getRun(t.app, quiet.id)).notifications).toEqual([]);
  });

  it("ON_KEYWORD on an HTTP task's response body", async () => {
    const task = await createTask(t.app, {
      mode: "HTTP",
      httpMethod: "GET",
      command: `${site.url}/miss`,
      notifyPolicy: "ON_KEYWORD",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/generic/keyword`,
      notifyKeywords: ["CRIT", "WARN", "FATAL"],
    });
    const miss = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(miss).toMatchObject({ status: "SUCCEEDED", httpStatus: 200, output: "all good", matchedKeywords: [] });

    await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { command: `${site.url}/hit` } });
    const hit = await waitForDeliveries(t.app, await runNow(t.app, task.id));
    expect(hit).toMatchObject({ status: "SUCCEEDED", matchedKeywords: ["CRIT", "WARN"] });
    expect(hit.notifications).toMatchObject([{ channel: "WEBHOOK", ok: true }]);

    const payloads = hookRequests("/generic/keyword").map((r) => JSON.parse(r.body));
    expect(payloads).toHaveLength(1);
    expect(payloads[0].task).toEqual({ id: task.id, name: task.name, mode: "HTTP", timezone: "UTC" });
    expect(payloads[0].run).toMatchObject({
      id: hit.id,
      httpStatus: 200,
      exitCode: null,
      matchedKeywords: ["CRIT", "WARN"],
      outputExcerpt: "quota CRIT: disk at 99%, WARN: inodes",
    });
    expect((await getRun(t.app, miss.id)).notifications).toEqual([]);
  });

  it("signs DingTalk and Feishu robot messages the way those services check them", async () => {
    const dingtalk = await createTask(t.app, {
      command: "echo robot-run",
      notifyPolicy: "ON_END",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/robot/send?access_token=${DINGTALK_TOKEN}`,
      notifyWebhookFormat: "DINGTALK",
      notifyWebhookSecret: DINGTALK_SECRET,
    });
    const dtRun = await waitForDeliveries(t.app, await runNow(t.app, dingtalk.id));
    expect(dtRun.notifications).toMatchObject([{ channel: "WEBHOOK", ok: true, attempts: 1 }]);
    expect(dtRun.notifications[0]?.target).toBe(`${hook.url}/robot/send?access_token=***`);

    const [dtRequest] = hookRequests("/robot/send");
    const dtUrl = new URL(dtRequest?.url ?? "", hook.url);
    expect(dtUrl.searchParams.get("access_token")).toBe(DINGTALK_TOKEN);
    const dtTimestamp = dtUrl.searchParams.get("timestamp") ?? "";
    expect(Math.abs(Date.now() - Number(dtTimestamp))).toBeLessThan(3_600_000); // DingTalk's window
    // DingTalk: base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)), URL-encoded.
    expect(dtUrl.searchParams.get("sign")).toBe(hmac(DINGTALK_SECRET, `${dtTimestamp}\n${DINGTALK_SECRET}`, "base64"));
    const dtBody = JSON.parse(dtRequest?.body ?? "");
    expect(dtBody.msgtype).toBe("markdown");
    expect(dtBody.markdown.title).toContain("Crondeck");
    expect(dtBody.markdown.text).toContain(dingtalk.name);
    expect(dtBody.markdown.text).toContain("Succeeded");

    const feishu = await createTask(t.app, {
      command: "echo feishu-run; exit 2",
      notifyPolicy: "ON_FAILURE",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/open-apis/bot/v2/hook/${FEISHU_HOOK_ID}`,
      notifyWebhookFormat: "FEISHU",
      notifyWebhookSecret: FEISHU_SECRET,
    });
    const fsRun = await waitForDeliveries(t.app, await runNow(t.app, feishu.id));
    expect(fsRun.status).toBe("FAILED");
    expect(fsRun.notifications).toMatchObject([{ ok: true }]);
    expect(fsRun.notifications[0]?.target).not.toContain(FEISHU_HOOK_ID);

    const [fsRequest] = hookRequests(`/open-apis/bot/v2/hook/${FEISHU_HOOK_ID}`);
    const fsBody = JSON.parse(fsRequest?.body ?? "");
    expect(typeof fsBody.timestamp).toBe("string");
    expect(Math.abs(Date.now() / 1000 - Number(fsBody.timestamp))).toBeLessThan(3600);
    // Feishu: base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")).
    expect(fsBody.sign).toBe(hmac(`${fsBody.timestamp}\n${FEISHU_SECRET}`, "", "base64"));
    expect(fsBody.msg_type).toBe("interactive");
    expect(JSON.stringify(fsBody.card)).toContain(feishu.name);

    for (const id of [dtRun.id, fsRun.id]) {
      expectNoSecrets((await t.app.inject({ method: "GET", url: `/api/runs/${id}` })).body, "the run");
    }
    for (const id of [dingtalk.id, feishu.id]) {
      const body = (await t.app.inject({ method: "GET", url: `/api/tasks/${id}` })).body;
      expect(body).not.toContain(DINGTALK_SECRET);
      expect(body).not.toContain(FEISHU_SECRET);
    }
  });

  it("records failed deliveries with the run, which keeps its status; no secret leaks", async () => {
    // SMTP refuses the only recipient: a permanent failure, not retried.
    const refused = await createTask(t.app, {
      command: "echo delivered-nowhere",
      notifyPolicy: "ON_END",
      notifyChannel: "EMAIL",
      notifyEmails: "nobody@refused.test",
    });
    const refusedRun = await waitForDeliveries(t.app, await runNow(t.app, refused.id));
    expect(refusedRun.status).toBe("SUCCEEDED");
    const [refusedDelivery] = refusedRun.notifications;
    expect(refusedDelivery).toMatchObject({ channel: "EMAIL", target: "nobody@refused.test", ok: false, attempts: 1 });
    expect(refusedDelivery?.error).toMatch(/550|reject/i);
    expect(smtp.forTask(refused.id)).toHaveLength(0);

    // A robot endpoint answering 500 and quoting the request: retried, then recorded, scrubbed.
    const echoing = await createTask(t.app, {
      command: "echo x; exit 1",
      notifyPolicy: "ON_FAILURE",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/echo-fail/robot/send?access_token=${DINGTALK_TOKEN}`,
      notifyWebhookFormat: "DINGTALK",
      notifyWebhookSecret: DINGTALK_SECRET,
    });
    const echoRun = await waitForDeliveries(t.app, await runNow(t.app, echoing.id));
    expect(echoRun.status).toBe("FAILED");
    const [echoDelivery] = echoRun.notifications;
    expect(echoDelivery).toMatchObject({ channel: "WEBHOOK", ok: false, attempts: 3 });
    expect(echoDelivery?.error).toMatch(/HTTP 500/);
    expect(hookRequests("/echo-fail")).toHaveLength(3);
    // The receiver did see the token: the echo is what the scrubbing had to remove.
    expect(hookRequests("/echo-fail")[0]?.url).toContain(DINGTALK_TOKEN);

    for (const run of [refusedRun, echoRun]) {
      expectNoSecrets((await t.app.inject({ method: "GET", url: `/api/runs/${run.id}` })).body, "the run");
      const [delivery] = run.notifications;
      expectNoSecrets(`${delivery?.target} ${delivery?.error}`, "the delivery");
    }
    const log = t.log();
    expect(log).toContain("notification failed");
    expect(log).toContain(`"runId":${echoRun.id}`);
    expectNoSecrets(log, "the app log");
  });

  describe("when the SMTP port is closed", () => {
    let closed: LoggedApp;
    beforeAll(async () => {
      closed = await startLoggedApp(provider, {
        SMTP_URL: `smtp://crondeck:${CLOSED_SMTP_PASSWORD}@127.0.0.1:${await closedPort()}`,
      });
    });
    afterAll(async () => closed?.close());

    it("retries, records the failure, leaves the run FAILED and the password out of everything", async () => {
      const task = await createTask(closed.app, {
        command: "echo doomed; exit 1",
        notifyPolicy: "ON_FAILURE",
        notifyChannel: "EMAIL",
        notifyEmails: "ops@x.test",
      });
      const run = await waitForDeliveries(closed.app, await runNow(closed.app, task.id));
      expect(run.status).toBe("FAILED");
      expect(run.notifications).toMatchObject([{ channel: "EMAIL", target: "ops@x.test", ok: false, attempts: 3 }]);
      expect(run.notifications[0]?.error).toMatch(/ECONNREFUSED|connect/i);
      expectNoSecrets((await closed.app.inject({ method: "GET", url: `/api/runs/${run.id}` })).body, "the run");

      const test = await closed.app.inject({
        method: "POST",
        url: "/api/notifications/test",
        payload: { notifyChannel: "EMAIL", notifyEmails: "ops@x.test" },
      });
      expect(test.statusCode).toBe(200);
      expect(test.json()).toMatchObject({ ok: false, channel: "EMAIL", attempts: 1 });
      expect(test.json().error).toMatch(/ECONNREFUSED|connect/i);
      expectNoSecrets(test.body, "the test result");

      const log = closed.log();
      expect(log).toContain("notification failed");
      expectNoSecrets(log, "the app log");
    });
  });

  describe("POST /api/notifications/test", () => {
    const sendTest = (payload: Record<string, unknown>) =>
      t.app.inject({ method: "POST", url: "/api/notifications/test", payload });

    it("sends a sample email to the local SMTP server", async () => {
      const res = await sendTest({ notifyChannel: "EMAIL", notifyEmails: "test-ops@x.test，test-dev@x.test" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        ok: true,
        error: null,
        channel: "EMAIL",
        target: "test-ops@x.test, test-dev@x.test",
        attempts: 1,
      });
      const mails = smtp.messages.filter((m) => m.to.includes("test-ops@x.test"));
      expect(mails).toHaveLength(1);
      expect(mails[0]?.to).toEqual(["test-ops@x.test", "test-dev@x.test"]);
      expect(mails[0]?.subject).toBe("[Crondeck] Test message for new task");
      expect(mails[0]?.text).toContain("This is a test message from Crondeck");
    });

    it("sends a sample webhook, signed with the given secret", async () => {
      const res = await sendTest({
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: `${hook.url}/generic/test`,
        notifyWebhookSecret: JSON_SECRET,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        ok: true,
        error: null,
        channel: "WEBHOOK",
        target: `${hook.url}/generic/test`,
        attempts: 1,
      });
      const [received] = hookRequests("/generic/test");
      const body = JSON.parse(received?.body ?? "");
      expect(body).toMatchObject({ event: "run.finished", test: true, task: { name: "new task" } });
      expect(body.run.url).toBeNull();
      const timestamp = String(received?.headers["x-crondeck-timestamp"]);
      expect(received?.headers["x-crondeck-signature"]).toBe(
        `sha256=${hmac(JSON_SECRET, `${timestamp}.${received?.body}`, "hex")}`,
      );
    });

    it("uses a stored task's name and secret, but only for that task's own webhook URL", async () => {
      const url = `${hook.url}/robot/send?access_token=${DINGTALK_TOKEN}&from=test-route`;
      const task = await createTask(t.app, {
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: url,
        notifyWebhookFormat: "DINGTALK",
        notifyWebhookSecret: DINGTALK_SECRET,
      });
      const res = await sendTest({
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: url,
        notifyWebhookFormat: "DINGTALK",
        taskId: task.id,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: true, attempts: 1 });
      expectNoSecrets(res.body, "the test result");
      const [received] = hook.received.filter((r) => r.url.includes("from=test-route"));
      const sent = new URL(received?.url ?? "", hook.url);
      const timestamp = sent.searchParams.get("timestamp") ?? "";
      expect(sent.searchParams.get("sign")).toBe(hmac(DINGTALK_SECRET, `${timestamp}\n${DINGTALK_SECRET}`, "base64"));
      expect(JSON.parse(received?.body ?? "").markdown.text).toContain(task.name);

      const elsewhere = await sendTest({
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: `${hook.url}/generic/elsewhere`,
        taskId: task.id,
      });
      expect(elsewhere.statusCode).toBe(400);
      expect(elsewhere.json().details.map((d: { field: string }) => d.field)).toEqual(["notifyWebhookSecret"]);
      expect(hookRequests("/generic/elsewhere")).toHaveLength(0);

      const unknown = await sendTest({ notifyChannel: "EMAIL", notifyEmails: "a@x.test", taskId: 99_999_999 });
      expect(unknown.statusCode).toBe(404);
    });

    it("answers 400 naming the field for bad settings, and sends nothing", async () => {
      const before = smtp.messages.length;
      const badEmail = await sendTest({ notifyChannel: "EMAIL", notifyEmails: ["fine@x.test", "not-an-email"] });
      expect(badEmail.statusCode).toBe(400);
      expect(badEmail.json()).toMatchObject({ statusCode: 400, code: "VALIDATION_FAILED" });
      expect(badEmail.json().details).toEqual([
        {
          field: "notifyEmails[1]",
          message: "is not a valid email address: not-an-email",
          code: "EMAIL",
          params: { value: "not-an-email" },
        },
      ]);

      const noChannel = await sendTest({ notifyEmails: "fine@x.test" });
      expect(noChannel.statusCode).toBe(400);
      expect(noChannel.json().details.map((d: { field: string }) => d.field)).toEqual(["notifyChannel"]);

      const noAddress = await sendTest({ notifyChannel: "EMAIL", notifyEmails: " ，, " });
      expect(noAddress.statusCode).toBe(400);
      expect(noAddress.json().details.map((d: { field: string }) => d.field)).toEqual(["notifyEmails"]);

      const badUrl = await sendTest({ notifyChannel: "WEBHOOK", notifyWebhookUrl: "ftp://files.example.test/x" });
      expect(badUrl.statusCode).toBe(400);
      expect(badUrl.json().details.map((d: { field: string }) => d.field)).toEqual(["notifyWebhookUrl"]);

      const unknownField = await sendTest({ notifyChannel: "EMAIL", notifyEmails: "a@x.test", cron: "* * * * *" });
      expect(unknownField.statusCode).toBe(400);
      expect(unknownField.json().details.map((d: { field: string }) => d.field)).toEqual(["cron"]);

      const badPolicy = await sendTest({ notifyChannel: "EMAIL", notifyEmails: "a@x.test", notifyPolicy: "SOMETIMES" });
      expect(badPolicy.statusCode).toBe(400);
      expect(badPolicy.json().details.map((d: { field: string }) => d.field)).toEqual(["notifyPolicy"]);
      expect(smtp.messages.length).toBe(before);
    });

    it("answers 200 with ok:false when the webhook is unreachable", async () => {
      const url = `http://127.0.0.1:${await closedPort()}/hook`;
      const res = await sendTest({ notifyChannel: "WEBHOOK", notifyWebhookUrl: url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: false, channel: "WEBHOOK", target: url, attempts: 1 });
      expect(res.json().error).toMatch(/ECONNREFUSED|request failed/);
    });

    it("is documented in OpenAPI under the notifications tag", async () => {
      const doc = (await t.app.inject({ method: "GET", url: "/docs/json" })).json();
      expect(doc.tags.map((tag: { name: string }) => tag.name)).toContain("notifications");
      const op = doc.paths["/api/notifications/test"].post;
      expect(op.tags).toEqual(["notifications"]);
      expect(op.requestBody.content["application/json"].schema.required).toEqual(["notifyChannel"]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "400", "404"]));
      expectNoSecrets(t.log(), "the app log");
    });
  });
});

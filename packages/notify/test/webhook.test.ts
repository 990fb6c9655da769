import { createHmac } from "node:crypto";
import { closedPort, type HttpTarget, type ReceivedRequest, type Reply, startHttpTarget } from "@crondeck/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { WebhookFormat } from "../src/detect.ts";
import { buildWebhookPayload, deliver, type NotificationTarget, sendTestNotification } from "../src/index.ts";
import { sampleRun } from "./helpers.ts";

const SECRET = "SECdeadbeef0123456789-robot-secret";
const TOKEN = "tok-0123456789abcdef";
const FAST_RETRY = { attempts: 3, baseDelayMs: 10 };

const servers: HttpTarget[] = [];
async function receiver(reply?: (req: ReceivedRequest, index: number) => Reply) {
  const server = await startHttpTarget(reply);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function webhookTarget(url: string, format: WebhookFormat | null, secret: string | null = null): NotificationTarget {
  return {
    policy: "ON_END",
    channel: "WEBHOOK",
    settings: { notifyWebhookUrl: url, notifyWebhookFormat: format, notifyWebhookSecret: secret },
    keywords: [],
  };
}

const config = { publicUrl: "https://cron.example.com", retry: FAST_RETRY, webhookTimeoutMs: 5000 };

function only(server: HttpTarget): ReceivedRequest {
  expect(server.received).toHaveLength(1);
  const [request] = server.received;
  if (!request) throw new Error("no request");
  return request;
}

describe("generic JSON webhook", () => {
  it("POSTs the documented payload", async () => {
    const server = await receiver();
    const run = sampleRun({ matchedKeywords: ["ERROR"], executor: "host-a" });
    const result = await deliver(webhookTarget(`${server.url}/hooks/crondeck`, null), run, config);

    expect(result).toMatchObject({ channel: "WEBHOOK", ok: true, error: null, attempts: 1 });
    const request = only(server);
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/hooks/crondeck");
    expect(request.headers["content-type"]).toMatch(/^application\/json/);
    expect(request.headers["x-crondeck-signature"]).toBeUndefined();
    expect(request.json).toEqual({
      event: "run.finished",
      test: false,
      language: "en",
      task: { id: 7, name: "backup-db", mode: "SHELL", timezone: "UTC" },
      message: {
        title: "[Crondeck] backup-db failed, keyword matched: ERROR",
        summary: "Task “backup-db” failed (exit code 2). Its output contains the keyword ERROR.",
        text: expect.stringMatching(/Scheduled for: +2026-11-23 02:00:00 \(UTC\)/),
      },
      run: {
        id: 4242,
        status: "FAILED",
        trigger: "SCHEDULE",
        attempt: 1,
        maxAttempts: null,
        scheduledAt: "2026-11-23T02:00:00.000Z",
        startedAt: "2026-11-23T02:00:00.250Z",
        finishedAt: "2026-11-23T02:00:03.750Z",
        durationMs: 3500,
        exitCode: 2,
        httpStatus: null,
        error: "exited with code 2",
        matchedKeywords: ["ERROR"],
        executor: "host-a",
        outputExcerpt: "dumping tables...\nERROR: disk full",
        outputTruncated: false,
        url: "https://cron.example.com/runs/4242",
      },
    });
  });

  it("signs the raw body with the secret when one is set", async () => {
    const server = await receiver();
    const result = await deliver(webhookTarget(`${server.url}/in`, "JSON", SECRET), sampleRun(), config);
    expect(result.ok).toBe(true);
    const request = only(server);
    const timestamp = String(request.headers["x-crondeck-timestamp"]);
    const expected = createHmac("sha256", SECRET).update(`${timestamp}.${request.body}`).digest("hex");
    expect(request.headers["x-crondeck-signature"]).toBe(`sha256=${expected}`);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(3600);
  });

  it("marks test notifications and sends them once", async () => {
    const server = await receiver(() => ({ status: 503 }));
    const result = await sendTestNotification(webhookTarget(`${server.url}/in`, "JSON"), config, {
      taskName: "nightly",
    });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/HTTP 503/);
    const body = only(server).json as { test: boolean; task: { name: string }; run: { url: string | null } };
    expect(body.test).toBe(true);
    expect(body.task.name).toBe("nightly");
    expect(body.run.url).toBeNull();
  });
});

describe("DingTalk robot", () => {
  it("sends markdown, signed the way DingTalk verifies it", async () => {
    const server = await receiver(() => ({ body: { errcode: 0, errmsg: "ok" } }));
    const url = `${server.url}/robot/send?access_token=${TOKEN}`;
    const before = Date.now();
    const result = await deliver(webhookTarget(url, "DINGTALK", SECRET), sampleRun(), config);

    expect(result.ok).toBe(true);
    expect(result.target).toBe(`${server.url}/robot/send?access_token=***`);
    const request = only(server);
    const query = new URL(request.url, server.url).searchParams;
    expect(query.get("access_token")).toBe(TOKEN);
    const timestamp = query.get("timestamp") ?? "";
    // DingTalk: HMAC-SHA256 keyed with the secret over "timestamp\nsecret", base64, within an hour.
    const expected = createHmac("sha256", SECRET).update(`${timestamp}\n${SECRET}`).digest("base64");
    expect(query.get("sign")).toBe(expected);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp) - Date.now()).toBeLessThan(3_600_000);
    // The raw query carries the signature URL-encoded (base64's + / = would otherwise be mangled).
    expect(request.url).toContain(`sign=${encodeURIComponent(expected)}`);

    const body = request.json as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.title).toBe("[Crondeck] backup-db failed");
    expect(body.markdown.text).toContain("backup-db");
    expect(body.markdown.text).toContain("exit code 2");
    expect(body.markdown.text).toContain("ERROR: disk full");
    expect(body.markdown.text).toContain("(https://cron.example.com/runs/4242)");
  });

  it("adds no signature without a secret", async () => {
    const server = await receiver(() => ({ body: { errcode: 0, errmsg: "ok" } }));
    const result = await deliver(
      webhookTarget(`${server.url}/robot/send?access_token=${TOKEN}`, "DINGTALK"),
      sampleRun(),
      config,
    );
    expect(result.ok).toBe(true);
    expect(only(server).url).toBe(`/robot/send?access_token=${TOKEN}`);
  });

  it("treats a 200 with errcode ≠ 0 as a failure, with the robot's message and no secrets", async () => {
    const server = await receiver(() => ({
      body: { errcode: 310000, errmsg: `sign not match, access_token=${TOKEN} secret ${SECRET}` },
    }));
    const result = await deliver(
      webhookTarget(`${server.url}/robot/send?access_token=${TOKEN}`, "DINGTALK", SECRET),
      sampleRun(),
      config,
    );
    expect(result.ok).toBe(false);
    expect(result.error).toContain("310000");
    expect(result.error).toContain("sign not match");
    expect(result.attempts).toBe(3);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});

describe("Feishu/Lark robot", () => {
  it("sends an interactive card with timestamp and sign in the body, verified the Feishu way", async () => {
    const server = await receiver(() => ({ body: { code: 0, msg: "success", data: {} } }));
    const result = await deliver(
      webhookTarget(`${server.url}/open-apis/bot/v2/hook/abc-123`, "FEISHU", SECRET),
      sampleRun(),
      config,
    );

    expect(result.ok).toBe(true);
    expect(result.target).toBe(`${server.url}/open-apis/bot/v2/hook/***`);
    const body = only(server).json as {
      timestamp: string;
      sign: string;
      msg_type: string;
      card: { header: { title: { content: string }; template: string }; elements: unknown[] };
    };
    // Feishu: key = "timestamp\nsecret", message empty, base64; timestamp in seconds.
    const expected = createHmac("sha256", `${body.timestamp}\n${SECRET}`).update("").digest("base64");
    expect(body.sign).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(body.timestamp))).toBeLessThan(3600);
    expect(body.msg_type).toBe("interactive");
    expect(body.card.header.title.content).toBe("[Crondeck] backup-db failed");
    expect(body.card.header.template).toBe("red");
    const elements = JSON.stringify(body.card.elements);
    expect(elements).toContain("ERROR: disk full");
    expect(elements).toContain("https://cron.example.com/runs/4242");
  });

  it("treats a 200 with code ≠ 0 as a failure", async () => {
    const server = await receiver(() => ({
      body: { code: 19021, msg: "sign match fail or timestamp is not within one hour" },
    }));
    const result = await deliver(
      webhookTarget(`${server.url}/open-apis/bot/v2/hook/abc`, "FEISHU", SECRET),
      sampleRun(),
      { ...config, retry: { attempts: 1, baseDelayMs: 0 } },
    );
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toContain("19021");
    expect(result.error).toContain("sign match fail");
  });
});

describe("WeCom robot", () => {
  it("sends markdown content that stays within 4096 bytes", async () => {
    const server = await receiver(() => ({ body: { errcode: 0, errmsg: "ok" } }));
    const output = "日志行，包含中文字符\n".repeat(2000);
    const result = await deliver(
      webhookTarget(`${server.url}/cgi-bin/webhook/send?key=${TOKEN}`, "WECOM"),
      sampleRun({ output, truncated: true }),
      config,
    );
    expect(result.ok).toBe(true);
    expect(result.target).toBe(`${server.url}/cgi-bin/webhook/send?key=***`);
    const body = only(server).json as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.content).toContain("[Crondeck] backup-db failed");
    expect(body.markdown.content).toContain('<font color="warning">Failed</font>');
    expect(body.markdown.content).toContain("日志行");
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
  });

  it("treats a 200 with errcode ≠ 0 as a failure", async () => {
    const server = await receiver(() => ({ body: { errcode: 93000, errmsg: "invalid webhook url" } }));
    const result = await deliver(
      webhookTarget(`${server.url}/cgi-bin/webhook/send?key=${TOKEN}`, "WECOM"),
      sampleRun(),
      config,
    );
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result.error).toContain("93000");
    expect(result.error).toContain("invalid webhook url");
  });
});

describe("Slack incoming webhook", () => {
  it("sends text and blocks with Slack's control characters escaped", async () => {
    const server = await receiver(() => ({ body: "ok" }));
    const run = sampleRun({ status: "SUCCEEDED", output: "a <b> & ```c```", error: null });
    const result = await deliver(webhookTarget(`${server.url}/services/T0/B0/XYZ`, "SLACK"), run, config);
    expect(result.ok).toBe(true);
    const body = only(server).json as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(body.text).toBe("[Crondeck] backup-db succeeded");
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "[Crondeck] backup-db succeeded" },
    });
    const all = JSON.stringify(body.blocks);
    expect(all).toContain("a &lt;b&gt; &amp;");
    expect(all).toContain("<https://cron.example.com/runs/4242|View run in Crondeck>");
  });
});

describe("retries and failures", () => {
  it("retries 500s with backoff until a 200: ok after 3 attempts", async () => {
    const server = await receiver((_req, index) => (index < 2 ? { status: 500, body: "boom" } : { status: 200 }));
    const result = await deliver(webhookTarget(`${server.url}/flaky`, "JSON"), sampleRun(), config);
    expect(result).toMatchObject({ ok: true, attempts: 3, error: null });
    expect(server.received).toHaveLength(3);
  });

  it("gives up after the configured attempts with the last error", async () => {
    const server = await receiver(() => ({ status: 502, body: "bad gateway" }));
    const result = await deliver(webhookTarget(`${server.url}/down`, "JSON"), sampleRun(), config);
    expect(result).toMatchObject({ ok: false, attempts: 3, error: "HTTP 502: bad gateway" });
  });

  it("does not retry a 404, which more tries will not fix", async () => {
    const server = await receiver(() => ({ status: 404, body: "no such hook" }));
    const result = await deliver(webhookTarget(`${server.url}/gone`, "JSON"), sampleRun(), config);
    expect(result).toMatchObject({ ok: false, attempts: 1, error: "HTTP 404: no such hook" });
  });

  it("times out a receiver that does not answer", async () => {
    const server = await receiver(() => ({ delayMs: 5000 }));
    const result = await deliver(webhookTarget(`${server.url}/slow`, "JSON"), sampleRun(), {
      webhookTimeoutMs: 200,
      retry: { attempts: 1, baseDelayMs: 0 },
    });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/timed out after 200 ms/);
  });

  it("reports a closed port without throwing or leaking the token", async () => {
    const port = await closedPort();
    const result = await deliver(
      webhookTarget(`http://127.0.0.1:${port}/robot/send?access_token=${TOKEN}`, "DINGTALK", SECRET),
      sampleRun(),
      { retry: { attempts: 2, baseDelayMs: 10 } },
    );
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    expect(result.error).toMatch(/ECONNREFUSED|connect/i);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it("rejects a missing or non-http URL and a missing channel without throwing", async () => {
    const noUrl = await deliver(webhookTarget("", "JSON"), sampleRun(), config);
    expect(noUrl).toMatchObject({ ok: false, attempts: 1 });
    const ftp = await deliver(webhookTarget("ftp://example.com/x", "JSON"), sampleRun(), config);
    expect(ftp.error).toMatch(/http or https/);
    const noChannel = await deliver(
      { ...webhookTarget("http://127.0.0.1:1/x", "JSON"), channel: null },
      sampleRun(),
      config,
    );
    expect(noChannel).toMatchObject({ ok: false, attempts: 0, error: "no notification channel is set" });
  });

  it("never throws on a malformed run summary", async () => {
    const server = await receiver();
    const result = await deliver(
      webhookTarget(`${server.url}/x`, "JSON"),
      sampleRun({ scheduledAt: new Date("nope") }),
      config,
    );
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/unexpected error/);
    expect(result.attempts).toBe(1);
    expect(server.received).toHaveLength(0);
  });
});

describe("buildWebhookPayload", () => {
  it("is deterministic for a pinned clock and appends DingTalk's parameters to an existing query", () => {
    const now = new Date("2026-11-23T02:00:05.000Z");
    const a = buildWebhookPayload("DINGTALK", sampleRun(), {
      url: "https://oapi.dingtalk.com/robot/send?access_token=t",
      secret: "s",
      now,
    });
    const b = buildWebhookPayload("DINGTALK", sampleRun(), {
      url: "https://oapi.dingtalk.com/robot/send?access_token=t",
      secret: "s",
      now,
    });
    expect(a).toEqual(b);
    expect(a.url).toMatch(
      /^https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=t&timestamp=1795399205000&sign=[A-Za-z0-9%]+$/,
    );
  });
});

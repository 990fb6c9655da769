import { describe, expect, it } from "vitest";
import { detectWebhookFormat, maskSecrets, toRunSummary } from "../src/index.ts";

describe("maskSecrets", () => {
  it("masks the password of an SMTP URL and keeps the rest readable", () => {
    expect(maskSecrets("connect smtp://mailer:s3cr%40t@mail.example.com:587 failed")).toBe(
      "connect smtp://mailer:***@mail.example.com:587 failed",
    );
    expect(maskSecrets("smtps://user:pw@host")).toBe("smtps://user:***@host");
  });

  it("masks robot tokens in query strings and paths", () => {
    expect(maskSecrets("https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=xyz%3D")).toBe(
      "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=***",
    );
    expect(maskSecrets("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx")).toBe(
      "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***",
    );
    expect(maskSecrets("https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-aaaa")).toBe(
      "https://open.feishu.cn/open-apis/bot/v2/hook/***",
    );
    expect(maskSecrets("POST https://hooks.slack.com/services/T000/B000/XXXXXXXX: 404")).toBe(
      "POST https://hooks.slack.com/services/***: 404",
    );
  });

  it("leaves text without secrets alone", () => {
    const text = "HTTP 500 from https://example.com/hooks/crondeck?task=3";
    expect(maskSecrets(text)).toBe(text);
  });
});

describe("detectWebhookFormat", () => {
  it.each([
    ["https://oapi.dingtalk.com/robot/send?access_token=x", "DINGTALK"],
    ["https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "WECOM"],
    ["https://open.feishu.cn/open-apis/bot/v2/hook/x", "FEISHU"],
    ["https://open.larksuite.com/open-apis/bot/v2/hook/x", "FEISHU"],
    ["https://hooks.slack.com/services/T/B/X", "SLACK"],
    ["https://HOOKS.SLACK.COM/services/T/B/X", "SLACK"],
    ["https://example.com/oapi.dingtalk.com", "JSON"],
    ["https://oapi.dingtalk.com.evil.example/robot", "JSON"],
    ["not a url", "JSON"],
  ])("%s → %s", (url, format) => {
    expect(detectWebhookFormat(url)).toBe(format);
  });
});

describe("toRunSummary", () => {
  it("turns the API shapes into a summary with dates", () => {
    const summary = toRunSummary(
      { id: 3, name: "report", mode: "HTTP" },
      {
        id: 9,
        taskId: 3,
        trigger: "MANUAL",
        scheduledAt: "2026-11-23T02:00:00.000Z",
        attempt: 1,
        rootRunId: null,
        triggeredByRunId: null,
        status: "SUCCEEDED",
        startedAt: "2026-11-23T02:00:01.000Z",
        finishedAt: null,
        durationMs: null,
        exitCode: null,
        httpStatus: 204,
        output: "",
        truncated: false,
        outputBytes: 0,
        error: null,
        errorCode: null,
        errorParams: null,
        executor: "exec-1",
        matchedKeywords: [],
        parameters: null,
        createdAt: "2026-11-23T02:00:00.000Z",
      },
    );
    expect(summary).toMatchObject({
      taskId: 3,
      taskName: "report",
      mode: "HTTP",
      runId: 9,
      httpStatus: 204,
      executor: "exec-1",
    });
    expect(summary.scheduledAt.toISOString()).toBe("2026-11-23T02:00:00.000Z");
    expect(summary.startedAt?.getTime()).toBe(Date.parse("2026-11-23T02:00:01.000Z"));
    expect(summary.finishedAt).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import {
  buildEmail,
  buildWebhookPayload,
  formatTime,
  messagesFor,
  type RunSummary,
  testRunSummary,
} from "../src/index.ts";
import { sampleRun } from "./helpers.ts";

describe("message wording", () => {
  it("says what happened in the run's language, keywords included", () => {
    const cases: Array<[Partial<RunSummary>, string, string]> = [
      [{ status: "TIMED_OUT" }, "[Crondeck] backup-db timed out", "[Crondeck] backup-db 执行超时"],
      [{ status: "LOST" }, "lost", "执行丢失"],
      [{ status: "SUCCEEDED" }, "[Crondeck] backup-db succeeded", "[Crondeck] backup-db 执行成功"],
      [
        { status: "SUCCEEDED", matchedKeywords: ["OOM", "DISK_FULL"] },
        "[Crondeck] backup-db succeeded, keyword matched: OOM, DISK_FULL",
        "[Crondeck] backup-db 执行成功，匹配关键字：OOM、DISK_FULL",
      ],
    ];
    for (const [overrides, en, zh] of cases) {
      expect(buildEmail(sampleRun({ ...overrides, language: "en" })).subject).toContain(en);
      expect(buildEmail(sampleRun({ ...overrides, language: "zh" })).subject).toContain(zh);
    }
  });

  it("words a run's error from its code in the message's language, else shows the recorded text", () => {
    const failed = {
      status: "FAILED",
      error: "exited with code 3",
      errorCode: "EXIT_CODE",
      errorParams: { code: 3 },
    } as const;
    expect(buildEmail(sampleRun({ ...failed, language: "zh" })).text).toContain("退出码为 3");
    expect(buildEmail(sampleRun({ ...failed, language: "zh" })).text).not.toContain("exited with code 3");
    expect(buildEmail(sampleRun({ ...failed, language: "en" })).text).toContain("exited with code 3");
    const dingtalk = JSON.stringify(
      buildWebhookPayload(
        "DINGTALK",
        sampleRun({ ...failed, errorCode: "TIMED_OUT", errorParams: { seconds: 5 }, language: "zh" }),
        { url: "https://robot.example.com/send" },
      ),
    );
    expect(dingtalk).toContain("运行超过 5 秒，已超时终止");
    // A code from a newer executor, or none at all: the English text is all there is.
    const unknown = sampleRun({ ...failed, errorCode: "SOMETHING_NEW", error: "a newer failure", language: "zh" });
    expect(buildEmail(unknown).text).toContain("a newer failure");
  });

  it("reads an unknown or missing language as English", () => {
    expect(messagesFor(undefined)).toBe(messagesFor("en"));
    expect(messagesFor("fr")).toBe(messagesFor("en"));
    expect(buildEmail(sampleRun()).subject).toBe("[Crondeck] backup-db failed");
  });

  it("formats times in the given zone with the zone named, falling back to UTC", () => {
    const at = new Date("2026-07-01T12:34:56.789Z");
    expect(formatTime(at, "Asia/Shanghai")).toBe("2026-07-01 20:34:56 (Asia/Shanghai)");
    expect(formatTime(at, "America/New_York")).toBe("2026-07-01 08:34:56 (America/New_York)");
    expect(formatTime(at, null)).toBe("2026-07-01 12:34:56 (UTC)");
    expect(formatTime(at, "Not/AZone")).toBe("2026-07-01 12:34:56 (UTC)");
    expect(formatTime(new Date("2026-07-01T16:00:00Z"), "Asia/Shanghai")).toBe("2026-07-02 00:00:00 (Asia/Shanghai)");
    expect(formatTime(null, "UTC")).toBe("—");
  });

  it("leaves no ISO timestamps in what people read, but keeps them in the JSON machine fields", () => {
    const run = sampleRun({ timezone: "Asia/Shanghai", language: "zh" });
    const email = buildEmail(run, { publicUrl: "https://c.example.com" });
    expect(email.text).not.toMatch(/\dT\d/);
    const body = buildWebhookPayload("JSON", run, { url: "https://h.example.com" }).body as {
      run: { scheduledAt: string };
      message: { text: string };
    };
    expect(body.run.scheduledAt).toBe("2026-11-23T02:00:00.000Z");
    expect(body.message.text).toContain("2026-11-23 10:00:00 (Asia/Shanghai)");
  });
});

describe("test message", () => {
  const task = { id: 5, name: "nightly-report", mode: "SHELL", timezone: "Asia/Shanghai", retryCount: 2 };
  const now = new Date("2026-12-01T01:00:00Z");

  it("describes the task being edited, marked as a test, in its language and zone", () => {
    const run = testRunSummary({ ...task, language: "zh", notifyPolicy: "ON_FAILURE" }, now);
    const email = buildEmail(run, { publicUrl: "https://c.example.com" });
    expect(run.test).toBe(true);
    expect(email.subject).toBe("[Crondeck] nightly-report 的测试消息");
    expect(email.text).toContain(messagesFor("zh").testIntro);
    expect(email.text).toContain("nightly-report (#5, SHELL)");
    expect(email.text).toContain("第 3 次（共 3 次）");
    expect(email.text).toContain("2026-12-01 09:00:00 (Asia/Shanghai)");
    expect(email.text).not.toContain("/runs/");
  });

  it("shows the outcome its policy notifies about", () => {
    expect(testRunSummary({ ...task, notifyPolicy: "ON_END" }, now).status).toBe("SUCCEEDED");
    const keyword = testRunSummary({ ...task, notifyPolicy: "ON_KEYWORD", notifyKeywords: ["OOM"] }, now);
    expect(keyword.matchedKeywords).toEqual(["OOM"]);
    expect(keyword.output).toContain("OOM");
    expect(buildEmail(keyword).text).toContain("Its output contains the keyword OOM.");
  });
});

import { RUN_ERROR_CODES } from "@crondeck/core";
import { describe, expect, it } from "vitest";
import { isMessageKey, type Lang, type Translate, translate } from "./i18n/index.tsx";
import { runErrorText } from "./run-errors.ts";

// A run's error is said in the reader's language from its code: every code the server may record
// has a message in both languages, and the server's English shows only without a known code.

const tr =
  (lang: Lang): Translate =>
  (key, vars) =>
    translate(lang, key, vars);
const zh = tr("zh");
const en = tr("en");
const CHINESE = /[\u4e00-\u9fff]/;

describe("run errors", () => {
  it("has an English and a Chinese message for every code the server records", () => {
    for (const code of RUN_ERROR_CODES) {
      expect(isMessageKey(`runError.${code}`), code).toBe(true);
      const said = runErrorText({ error: "server text", errorCode: code, errorParams: null }, zh) as string;
      expect(said, code).toMatch(CHINESE);
      expect(said, code).not.toBe("server text");
    }
  });

  it("fills in the params, in either language", () => {
    const exit = { error: "exited with code 3", errorCode: "EXIT_CODE", errorParams: { code: 3 } };
    expect(runErrorText(exit, zh)).toBe("退出码为 3");
    expect(runErrorText(exit, en)).toBe("exited with code 3");
    const timeout = { error: "timed out after 1.5 s", errorCode: "TIMED_OUT", errorParams: { seconds: 1.5 } };
    expect(runErrorText(timeout, zh)).toBe("运行超过 1.5 秒，已超时终止");
    const group = { error: "…", errorCode: "NO_LIVE_EXECUTOR", errorParams: { group: "db01", seconds: 60 } };
    expect(runErrorText(group, zh)).toBe("60 秒内没有分组“db01”的执行器接手本次运行：该分组的执行器是否在运行？");
    const http = { error: "HTTP 500 Internal Server Error", errorCode: "HTTP_STATUS", errorParams: { status: 500 } };
    expect(runErrorText(http, zh)).toBe("服务器返回 HTTP 500");
  });

  it("says a misfire policy as the task form does", () => {
    const missed = { error: "…", errorCode: "MISSED_DB_UNREACHABLE", errorParams: { policy: "SKIP" } };
    expect(runErrorText(missed, zh)).toBe(`已错过：到点时无法连接数据库（${zh("misfire.SKIP")}）`);
  });

  it("shows the server's text for a run without a code, or with a code it does not know", () => {
    expect(runErrorText({ error: "exited with code 3", errorCode: null, errorParams: null }, zh)).toBe(
      "exited with code 3",
    );
    expect(runErrorText({ error: "something new", errorCode: "FROM_THE_FUTURE", errorParams: { a: 1 } }, zh)).toBe(
      "something new",
    );
    expect(runErrorText({ error: "old server" }, zh)).toBe("old server");
    expect(runErrorText({ error: null, errorCode: null, errorParams: null }, zh)).toBeNull();
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIELD_ERROR_CODES } from "@crondeck/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { META } from "../test/meta.ts";
import { ApiError } from "./api-client.ts";
import { apiErrorKey, apiErrorText, fieldErrorText } from "./api-errors.ts";
import { isMessageKey, type Lang, type Translate, translate } from "./i18n/index.tsx";
import { rememberMeta } from "./meta.ts";

// The Chinese dashboard shows no English from the server: every error code the API can answer
// with, and every field error code, has a message in both languages. The codes are read from the
// server's source, so a new code without a translation fails here.

const serverSrc = join(import.meta.dirname, "../../../server/src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function serverErrorCodes(): string[] {
  const codes = new Set<string>();
  for (const file of sources(serverSrc)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/new ApiError\(\s*\d+,\s*"([A-Z_]+)"/g)) codes.add(m[1] as string);
    for (const m of text.matchAll(/conflict\(\s*"([A-Z_]+)"/g)) codes.add(m[1] as string);
    // An error body written out by hand (health.ts): `error: "…", code: "…"`.
    for (const m of text.matchAll(/\berror: "[^"]*",\s*\n\s*code: "([A-Z_]+)"/g)) codes.add(m[1] as string);
  }
  return [...codes].sort();
}

function fieldErrorCodes(): string[] {
  return [...FIELD_ERROR_CODES];
}

const tr =
  (lang: Lang): Translate =>
  (key, vars) =>
    translate(lang, key, vars);
const zh = tr("zh");
const en = tr("en");
const CHINESE = /[\u4e00-\u9fff]/;

describe("error codes from the server", () => {
  it("are found in the server's source", () => {
    const codes = serverErrorCodes();
    for (const code of ["VALIDATION_FAILED", "NOT_FOUND", "NAME_TAKEN", "TOO_MANY_ATTEMPTS", "DATABASE_UNAVAILABLE"])
      expect(codes).toContain(code);
    expect(fieldErrorCodes()).toEqual(expect.arrayContaining(["REQUIRED", "CRON", "UNKNOWN_ZONE", "REQUIRED_WHEN"]));
  });

  it("each have a message, in Chinese in the Chinese dashboard", () => {
    const missing = serverErrorCodes().filter((code) => apiErrorKey(code) === null);
    expect(missing, "API error codes without a message").toEqual([]);
    for (const code of serverErrorCodes()) {
      const key = apiErrorKey(code);
      if (key) expect(translate("zh", key), code).toMatch(CHINESE);
    }
  });

  it("each field error code has a message, in Chinese in the Chinese dashboard", () => {
    for (const code of fieldErrorCodes()) {
      const key = `fieldError.${code}`;
      expect(isMessageKey(key), key).toBe(true);
      if (isMessageKey(key)) expect(translate("zh", key), key).toMatch(CHINESE);
    }
  });
});

describe("apiErrorText", () => {
  // A mode's or channel's field is labelled from GET /api/meta, as the form shows it.
  beforeAll(() => rememberMeta(META));
  afterAll(() => rememberMeta(null));

  const duplicate = new ApiError(409, 'a task named "x" already exists', "NAME_TAKEN", [
    { field: "name", message: 'a task named "x" already exists' },
  ]);

  it("says a known code in the reader's language, not the server's English", () => {
    expect(apiErrorText(duplicate, zh)).toBe("已存在同名任务。");
    expect(apiErrorText(duplicate, en)).toBe("A task with this name already exists.");
    const limited = new ApiError(429, "too many failed sign-ins; try again in 30 s", "TOO_MANY_ATTEMPTS", [], 30);
    expect(apiErrorText(limited, zh)).toBe("失败次数过多，请 30 秒后再试。");
  });

  it("lists a validation error's fields with their labels and translated problems", () => {
    const invalid = new ApiError(400, "cron: is not a valid cron expression: …", "VALIDATION_FAILED", [
      {
        field: "cron",
        message: "is not a valid cron expression: Invalid",
        code: "CRON",
        params: { reason: "Invalid" },
      },
      {
        field: "httpMethod",
        message: "is required when mode is HTTP",
        code: "REQUIRED_WHEN",
        params: { field: "mode", value: "HTTP" },
      },
      { field: "notifyEmails[1]", message: "is not a valid email address: a@", code: "EMAIL", params: { value: "a@" } },
    ]);
    const text = apiErrorText(invalid, zh);
    expect(text).toBe(
      "取值无效 — Cron 表达式：不是有效的 cron 表达式（应为 5 个或 6 个字段，或 @hourly 之类的别名）；请求方法：当执行方式为 HTTP 时必填；邮箱地址[1]：a@ 不是有效的邮箱地址",
    );
  });

  it("falls back to the status and the server's message for a code it does not know", () => {
    const odd = new ApiError(418, "short and stout", "TEAPOT");
    expect(apiErrorText(odd, en)).toBe("The request failed (418): short and stout");
    expect(apiErrorText(odd, zh)).toBe("请求失败（HTTP 418）：short and stout");
  });
});

describe("fieldErrorText", () => {
  beforeAll(() => rememberMeta(META));
  afterAll(() => rememberMeta(null));

  it("names a module field and a select's value by their labels in meta", () => {
    const detail = {
      field: "httpBody",
      message: "is allowed only with POST",
      code: "ALLOWED_ONLY_WHEN",
      params: { field: "httpMethod", value: "POST" },
    };
    expect(fieldErrorText(detail, zh)).toContain("请求方法");
    const channel = {
      field: "notifyEmails",
      message: "…",
      code: "REQUIRED_WHEN",
      params: { field: "notifyChannel", value: "EMAIL" },
    };
    expect(fieldErrorText(channel, zh)).toContain("邮件");
  });

  it("names the other field and its value as the form does", () => {
    const detail = {
      field: "notifyKeywords",
      message: "needs at least one keyword when notifyPolicy is ON_KEYWORD",
      code: "REQUIRED_WHEN",
      params: { field: "notifyPolicy", value: "ON_KEYWORD" },
    };
    expect(fieldErrorText(detail, zh)).toBe("当通知策略为 结果关键字匹配通知 时必填");
  });

  it("says a conflict's field by the error's code, and an unknown code by the message", () => {
    expect(fieldErrorText({ field: "name", message: "taken" }, zh, "NAME_TAKEN")).toBe("已存在同名任务。");
    expect(fieldErrorText({ field: "x", message: "odd", code: "NEW_CODE" }, zh)).toBe("odd");
  });
});

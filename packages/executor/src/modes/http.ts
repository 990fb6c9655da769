import { CREDENTIALS_IN_URL, type Fail, httpUrlProblem, SECRET_MASK } from "@crondeck/core";
import { Type } from "typebox";
import { runHttp } from "../http.ts";
import { defineMode } from "../mode.ts";

// HTTP: one GET or POST to an absolute http(s) URL, without following redirects (see http.ts).
// Succeeds on a 2xx answer. Credential header values (Authorization, tokens, keys) are masked
// for every reader, and the mask sent back keeps the stored value.

type HttpSettings = {
  command: string;
  httpMethod: "GET" | "POST" | null;
  httpHeaders: Record<string, string>;
  httpBody: string | null;
};

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What undici (like Node's http) lets into a header value; anything else fails every run. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const CREDENTIAL_HEADER =
  /authorization|cookie|token|secret|passw|credential|session|signature|auth|api-?key|apikey|(^|[-_])key$/i;

/** `${NAME}` replaced by the variable's value where the environment has it. */
export function expandEnv(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => env[name] ?? whole);
}

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

function maskHeaders(headers: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((headers ?? {}) as Record<string, string>).map(([name, value]) => [
      name,
      isCredentialHeader(name) ? SECRET_MASK : value,
    ]),
  );
}

/** A masked credential header takes the stored value of the same header (names compare case-blind). */
function restoreHeaders(given: unknown, stored: unknown, fail: Fail): Record<string, string> {
  const kept = new Map(Object.entries((stored ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((given ?? {}) as Record<string, string>)) {
    if (value !== SECRET_MASK || !isCredentialHeader(name)) {
      out[name] = value;
      continue;
    }
    const previous = kept.get(name.toLowerCase());
    if (previous === undefined)
      fail(`httpHeaders.${name}`, `is masked (${SECRET_MASK}) but no value is stored; send the value`, "MASKED_HEADER");
    else out[name] = previous;
  }
  return out;
}

function checkHeaders(headers: Record<string, string>, fail: Fail): void {
  for (const [key, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(key)) fail(`httpHeaders.${key}`, "is not a valid header name", "HEADER_NAME");
    if (/[\r\n]/.test(value)) fail(`httpHeaders.${key}`, "must not contain line breaks", "NO_LINE_BREAKS");
    else if (!HEADER_VALUE.test(value)) {
      fail(
        `httpHeaders.${key}`,
        "may hold only tabs, printable ASCII and Latin-1 characters (no NUL or other controls)",
        "HEADER_VALUE",
      );
    }
  }
}

/** The task's headers with a run's given ones over them; a name given in another case replaces the stored one. */
function mergeHeaders(stored: Record<string, string>, given: Record<string, string>): Record<string, string> {
  const names = new Set(Object.keys(given).map((name) => name.toLowerCase()));
  const kept = Object.entries(stored).filter(([name]) => !names.has(name.toLowerCase()));
  return { ...Object.fromEntries(kept), ...given };
}

export const httpMode = defineMode<HttpSettings>({
  name: "HTTP",
  label: { en: "HTTP", zh: "HTTP" },
  isolation: "inline",
  executorGroupHint: {
    en: "A group of interchangeable executors: one of them takes each run. Without NATS, this app runs every group itself.",
    zh: "一组可互相替代的执行器：每次运行由其中一个接手。未配置 NATS 时，所有分组都由本应用自己运行。",
  },
  fields: {
    command: Type.String({
      minLength: 1,
      maxLength: 8192,
      description: "SHELL: command line for /bin/sh -c; HTTP: absolute http(s) URL",
    }),
    httpMethod: Type.Union([Type.Unsafe<"GET" | "POST">({ type: "string", enum: ["GET", "POST"] }), Type.Null()]),
    httpHeaders: Type.Union([
      Type.Record(Type.String(), Type.String({ maxLength: 8192 }), {
        maxProperties: 50,
        description:
          "credential headers (Authorization, Cookie, *token*, *key*, *secret*, …) are write-only: returned as ***, and *** sent back keeps the stored value",
      }),
      Type.Null(),
    ]),
    httpBody: Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()]),
  },
  empty: { command: "", httpMethod: null, httpHeaders: {}, httpBody: null },
  secrets: {
    httpHeaders: {
      kind: "masked",
      mask: maskHeaders,
      restore: restoreHeaders,
      reveal: (headers) =>
        Object.entries((headers ?? {}) as Record<string, string>)
          .filter(([name]) => isCredentialHeader(name))
          .map(([, value]) => value),
    },
  },
  normalize(given, { fail }) {
    const httpMethod = given.httpMethod ?? null;
    const headers = given.httpHeaders ?? {};
    const body = given.httpBody ?? null;
    const url = (given.command ?? "").trim();
    if (httpMethod === null)
      fail("httpMethod", "is required when mode is HTTP", "REQUIRED_WHEN", { field: "mode", value: "HTTP" });
    const urlProblem = httpUrlProblem(
      url,
      "must be an absolute http(s) URL when mode is HTTP",
      `${CREDENTIALS_IN_URL}; send them in an Authorization header (httpHeaders) instead`,
    );
    if (urlProblem !== null) fail("command", urlProblem.message, urlProblem.code);
    if (Buffer.byteLength(url) > 8192) fail("command", "must be at most 8 KiB", "MAX_BYTES", { limit: "8 KiB" });
    if (body !== null && httpMethod === "GET")
      fail("httpBody", "is allowed only with POST", "ALLOWED_ONLY_WHEN", { field: "httpMethod", value: "POST" });
    if (body !== null && Buffer.byteLength(body) > 65_536)
      fail("httpBody", "must be at most 64 KiB", "MAX_BYTES", { limit: "64 KiB" });
    checkHeaders(headers, fail);
    return { command: url, httpMethod, httpHeaders: headers, httpBody: body };
  },
  // A run may send other headers (merged over the task's, case-blind) or another body (POST only).
  runOverrides: {
    fields: {
      httpHeaders: Type.Record(Type.String(), Type.String({ maxLength: 8192 }), {
        maxProperties: 50,
        description: "headers merged over the task's for this run (a name given replaces the task's, case-blind)",
      }),
      httpBody: Type.String({ maxLength: 65_536, description: "the request body of this run, instead of the task's" }),
    },
    normalize(given, { fail, settings }) {
      const out: Partial<HttpSettings> = {};
      // No headers given is no override: the run records nothing for them.
      if (given.httpHeaders && Object.keys(given.httpHeaders).length > 0) {
        checkHeaders(given.httpHeaders, fail);
        out.httpHeaders = given.httpHeaders;
      }
      if (given.httpBody !== undefined && given.httpBody !== null) {
        if (settings.httpMethod !== "POST")
          fail("httpBody", "is allowed only with POST", "ALLOWED_ONLY_WHEN", { field: "httpMethod", value: "POST" });
        else if (Buffer.byteLength(given.httpBody) > 65_536)
          fail("httpBody", "must be at most 64 KiB", "MAX_BYTES", { limit: "64 KiB" });
        out.httpBody = given.httpBody;
      }
      return out;
    },
    apply: (settings, overrides) => ({
      ...settings,
      httpHeaders: mergeHeaders(settings.httpHeaders, overrides.httpHeaders ?? {}),
      httpBody: overrides.httpBody ?? settings.httpBody,
    }),
  },
  searchText: (settings) => settings.command,
  // ${NAME} in the URL, header values and body takes the task's environment variable NAME; other
  // text is sent as written.
  run: (settings, attempt) => {
    const expand = (text: string) => expandEnv(text, attempt.env);
    return runHttp(
      {
        url: expand(settings.command),
        method: settings.httpMethod ?? "GET",
        headers: Object.fromEntries(Object.entries(settings.httpHeaders).map(([name, value]) => [name, expand(value)])),
        body: settings.httpBody === null ? null : expand(settings.httpBody),
      },
      attempt,
    );
  },
  form: [
    {
      name: "httpMethod",
      required: true,
      kind: "select",
      label: { en: "HTTP method", zh: "请求方法" },
      options: [
        { value: "GET", label: { en: "GET", zh: "GET" } },
        { value: "POST", label: { en: "POST", zh: "POST" } },
      ],
    },
    {
      name: "command",
      required: true,
      kind: "text",
      label: { en: "URL", zh: "URL" },
      hint: { en: "An absolute http:// or https:// address.", zh: "以 http:// 或 https:// 开头的完整地址。" },
      placeholder: "https://example.com/hooks/nightly",
    },
    {
      name: "httpHeaders",
      kind: "keyValue",
      label: { en: "Headers", zh: "请求头" },
      hint: {
        en: "One per line, as Key: Value. Credentials (Authorization, tokens, keys) show as ***: leave *** to keep the saved value.",
        zh: "每行一个，格式为 Key: Value。凭据（Authorization、令牌、密钥）显示为 ***：保留 *** 即沿用已保存的值。",
      },
    },
    {
      name: "httpBody",
      kind: "textarea",
      label: { en: "Request body", zh: "请求体" },
      showWhen: { field: "httpMethod", values: ["POST"] },
    },
  ],
});

import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellTask, startTestApp, type TestApp, taskCount } from "./helpers.ts";

const providers = await testProviders();

const http = (changes: Record<string, unknown> = {}) =>
  shellTask({ mode: "HTTP", httpMethod: "GET", command: "https://example.test/ping", ...changes });

/** [what is wrong, body, the field the 400 must name] */
const badInputs: Array<[string, unknown, string]> = [
  ["name missing", { mode: "SHELL", cron: "* * * * *", command: "true" }, "name"],
  ["name blank after trim", shellTask({ name: "   " }), "name"],
  ["name 65 characters", shellTask({ name: "n".repeat(65) }), "name"],
  ["name a number", shellTask({ name: 42 }), "name"],
  ["mode unknown", shellTask({ mode: "FTP" }), "mode"],
  ["mode lower case", shellTask({ mode: "shell" }), "mode"],
  ["cron missing", { name: "x", mode: "SHELL", command: "true" }, "cron"],
  ["cron with 4 fields", shellTask({ cron: "* * * *" }), "cron"],
  ["cron minute 61", shellTask({ cron: "61 * * * *" }), "cron"],
  ["cron garbage", shellTask({ cron: "every day at noon" }), "cron"],
  ["cron empty", shellTask({ cron: "" }), "cron"],
  ["cron 8 fields", shellTask({ cron: "* * * * * * * *" }), "cron"],
  ["cron month 13", shellTask({ cron: "0 0 1 13 *" }), "cron"],
  ["cron unknown nickname", shellTask({ cron: "@fortnightly" }), "cron"],
  ["zone unknown", shellTask({ timezone: "Mars/Olympus_Mons" }), "timezone"],
  ["zone as offset text", shellTask({ timezone: "GMT+25" }), "timezone"],
  ["HTTP without method", http({ httpMethod: undefined }), "httpMethod"],
  ["HTTP method PUT", http({ httpMethod: "PUT" }), "httpMethod"],
  ["SHELL with a method", shellTask({ httpMethod: "GET" }), "httpMethod"],
  ["SHELL with headers", shellTask({ httpHeaders: { A: "b" } }), "httpHeaders"],
  ["GET with a body", http({ httpBody: "x" }), "httpBody"],
  ["HTTP command not a URL", http({ command: "curl example.test" }), "command"],
  ["HTTP command ftp URL", http({ command: "ftp://example.test/file" }), "command"],
  ["header value with a line break", http({ httpHeaders: { "X-A": "a\r\nX-Injected: 1" } }), "httpHeaders.X-A"],
  ["header name with a space", http({ httpHeaders: { "Bad Name": "v" } }), "httpHeaders.Bad Name"],
  ["command over 8 KiB", shellTask({ command: "x".repeat(8193) }), "command"],
  ["command empty", shellTask({ command: "" }), "command"],
  ["command blank", shellTask({ command: "   " }), "command"],
  ["body over 64 KiB", http({ httpMethod: "POST", httpBody: "b".repeat(65_537) }), "httpBody"],
  ["timeout zero", shellTask({ timeoutSeconds: 0 }), "timeoutSeconds"],
  ["timeout negative", shellTask({ timeoutSeconds: -5 }), "timeoutSeconds"],
  ["timeout over a day", shellTask({ timeoutSeconds: 86_401 }), "timeoutSeconds"],
  ["timeout as a string", shellTask({ timeoutSeconds: "60" }), "timeoutSeconds"],
  ["timeout fractional", shellTask({ timeoutSeconds: 1.5 }), "timeoutSeconds"],
  ["retries 11", shellTask({ retryCount: 11 }), "retryCount"],
  ["retries negative", shellTask({ retryCount: -1 }), "retryCount"],
  ["retry interval over an hour", shellTask({ retryIntervalSeconds: 3601 }), "retryIntervalSeconds"],
  ["concurrency unknown", shellTask({ concurrencyPolicy: "QUEUE" }), "concurrencyPolicy"],
  ["misfire unknown", shellTask({ misfirePolicy: "RUN_ALL" }), "misfirePolicy"],
  ["misfire grace zero", shellTask({ misfireGraceSeconds: 0 }), "misfireGraceSeconds"],
  ["notify policy unknown", shellTask({ notifyPolicy: "ALWAYS" }), "notifyPolicy"],
  ["channel missing", shellTask({ notifyPolicy: "ON_FAILURE" }), "notifyChannel"],
  ["channel unknown", shellTask({ notifyPolicy: "ON_END", notifyChannel: "SMS" }), "notifyChannel"],
  ["email channel without addresses", shellTask({ notifyPolicy: "ON_END", notifyChannel: "EMAIL" }), "notifyEmails"],
  [
    "email list of blanks",
    shellTask({ notifyPolicy: "ON_END", notifyChannel: "EMAIL", notifyEmails: " , ，" }),
    "notifyEmails",
  ],
  [
    "bad email among good ones",
    shellTask({
      notifyPolicy: "ON_END",
      notifyChannel: "EMAIL",
      notifyEmails: "a@example.com，not-an-email, b@example.com",
    }),
    "notifyEmails[1]",
  ],
  ["emails as a number", shellTask({ notifyEmails: 5 }), "notifyEmails"],
  ["webhook channel without URL", shellTask({ notifyPolicy: "ON_END", notifyChannel: "WEBHOOK" }), "notifyWebhookUrl"],
  [
    "webhook URL not http",
    shellTask({ notifyPolicy: "ON_END", notifyChannel: "WEBHOOK", notifyWebhookUrl: "javascript:alert(1)" }),
    "notifyWebhookUrl",
  ],
  ["webhook format unknown", shellTask({ notifyWebhookFormat: "TEAMS" }), "notifyWebhookFormat"],
  ["notify language unknown", shellTask({ notifyLanguage: "fr" }), "notifyLanguage"],
  [
    "keyword policy with an empty keyword list",
    shellTask({
      notifyPolicy: "ON_KEYWORD",
      notifyChannel: "EMAIL",
      notifyEmails: ["a@example.com"],
      notifyKeywords: [],
    }),
    "notifyKeywords",
  ],
  [
    "keyword policy with only blank keywords",
    shellTask({
      notifyPolicy: "ON_KEYWORD",
      notifyChannel: "EMAIL",
      notifyEmails: ["a@example.com"],
      notifyKeywords: "  ，, ",
    }),
    "notifyKeywords",
  ],
  ["enabled as a string", shellTask({ enabled: "yes" }), "enabled"],
  ["remark over 255", shellTask({ remark: "r".repeat(256) }), "remark"],
  ["unknown field", shellTask({ maintainer: "me" }), "maintainer"],
  ["id given", shellTask({ id: 7 }), "id"],
  ["executor group with a slash", shellTask({ executorGroup: "../etc" }), "executorGroup"],
  ["body is an array", [shellTask()], "body"],
];

describe.each(providers)("task validation on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
    // One valid task so a second write path (PUT/PATCH) has something to refuse against.
    await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask({ name: "existing" }) });
  });
  afterAll(async () => t?.close());

  it("has at least 30 distinct bad inputs", () => {
    expect(new Set(badInputs.map(([what]) => what)).size).toBe(badInputs.length);
    expect(badInputs.length).toBeGreaterThanOrEqual(30);
  });

  it.each(badInputs)("POST refuses %s", async (_what, body, field) => {
    const before = await taskCount(t.app);
    const res = await t.app.inject({ method: "POST", url: "/api/tasks", payload: body as object });
    expect(res.statusCode).toBe(400);
    const json = res.json();
    expect(json).toMatchObject({ statusCode: 400, error: "Bad Request", code: "VALIDATION_FAILED" });
    expect(json.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(json.message).toContain(field);
    expect(await taskCount(t.app)).toBe(before);
  });

  it.each(badInputs.filter(([, body]) => !Array.isArray(body) && (body as { name?: unknown }).name !== undefined))(
    "PUT refuses %s and leaves the stored task as it was",
    async (_what, body, field) => {
      const existing = await t.app.database.db.task.findUniqueOrThrow({ where: { nameKey: "existing" } });
      const res = await t.app.inject({ method: "PUT", url: `/api/tasks/${existing.id}`, payload: body as object });
      expect(res.statusCode).toBe(400);
      expect(res.json().details.map((d: { field: string }) => d.field)).toContain(field);
      const after = await t.app.database.db.task.findUniqueOrThrow({ where: { id: existing.id } });
      expect(after.updatedAt.getTime()).toBe(existing.updatedAt.getTime());
      expect(JSON.parse(after.modeSettings).command).toBe("echo hi");
    },
  );

  it("PATCH re-checks the merged task (turning a SHELL task into HTTP needs a method and a URL)", async () => {
    const existing = await t.app.database.db.task.findUniqueOrThrow({ where: { nameKey: "existing" } });
    const res = await t.app.inject({ method: "PATCH", url: `/api/tasks/${existing.id}`, payload: { mode: "HTTP" } });
    expect(res.statusCode).toBe(400);
    const fields = res.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["httpMethod", "command"]));
    expect((await t.app.inject({ method: "PATCH", url: `/api/tasks/${existing.id}`, payload: {} })).statusCode).toBe(
      400,
    );
  });

  it("refuses malformed JSON and non-numeric ids", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      headers: { "content-type": "application/json" },
      payload: '{"name": "x",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: expect.any(String) });
    const bad = await t.app.inject({ method: "GET", url: "/api/tasks/abc" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe("id");
  });
});

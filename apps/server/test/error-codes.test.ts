import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIELD_ERROR_CODES } from "../src/lib/errors.ts";
import { createTask, shellTask, startTestApp, type TestApp } from "./helpers.ts";

// Every field error carries a code (and the values it names) besides its English message, so the
// dashboard says it in Chinese (issue 15); the codes are the ones lib/errors.ts lists. Bad input
// stores nothing.

const providers = await testProviders();

interface Detail {
  field: string;
  message: string;
  code?: string;
  params?: Record<string, string | number>;
}

describe.each(providers)("field error codes on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  const details = async (method: "POST" | "PUT", url: string, payload: unknown) => {
    const before = await t.app.database.db.task.count();
    const res = await t.app.inject({ method, url, payload: payload as object });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe("VALIDATION_FAILED");
    expect(await t.app.database.db.task.count()).toBe(before);
    const list = res.json().details as Detail[];
    for (const d of list) expect(FIELD_ERROR_CODES, `${d.field}: ${d.message}`).toContain(d.code);
    return list;
  };
  const byField = (list: Detail[], field: string) => list.find((d) => d.field === field);

  it("codes the schema's checks: required, unknown field, enum, type, minimum, format", async () => {
    const list = await details("POST", "/api/tasks", {
      mode: "FTP",
      cron: "* * * * *",
      command: "x",
      timeoutSeconds: 0,
      retryCount: "3",
      colour: "red",
    });
    expect(byField(list, "name")).toMatchObject({ code: "REQUIRED" });
    expect(byField(list, "colour")).toMatchObject({ code: "UNKNOWN_FIELD" });
    expect(byField(list, "mode")).toMatchObject({ code: "ONE_OF", params: { values: "SHELL, HTTP" } });
    expect(byField(list, "timeoutSeconds")).toMatchObject({ code: "MIN", params: { limit: 1 } });
    expect(byField(list, "retryCount")).toMatchObject({ code: "TYPE", params: { type: "integer" } });
  });

  it("codes the task rules with the values they name", async () => {
    const http = await details(
      "POST",
      "/api/tasks",
      shellTask({
        mode: "HTTP",
        command: "ftp://example.test",
        cron: "61 * * * *",
        timezone: "Mars/Olympus",
        notifyPolicy: "ON_KEYWORD",
        notifyChannel: "EMAIL",
        notifyEmails: "ops@example.test, not-an-address",
      }),
    );
    expect(byField(http, "httpMethod")).toMatchObject({
      code: "REQUIRED_WHEN",
      params: { field: "mode", value: "HTTP" },
    });
    expect(byField(http, "command")).toMatchObject({ code: "HTTP_URL" });
    expect(byField(http, "cron")?.code).toBe("CRON");
    expect(typeof byField(http, "cron")?.params?.reason).toBe("string");
    expect(byField(http, "timezone")).toMatchObject({ code: "UNKNOWN_ZONE", params: { value: "Mars/Olympus" } });
    expect(byField(http, "notifyEmails[1]")).toMatchObject({ code: "EMAIL", params: { value: "not-an-address" } });
    expect(byField(http, "notifyKeywords")).toMatchObject({
      code: "REQUIRED_WHEN",
      params: { field: "notifyPolicy", value: "ON_KEYWORD" },
    });

    const shell = await details(
      "POST",
      "/api/tasks",
      shellTask({ command: "   ", httpMethod: "GET", httpBody: "x", notifyPolicy: "ON_FAILURE" }),
    );
    expect(byField(shell, "command")).toMatchObject({ code: "BLANK" });
    expect(byField(shell, "httpMethod")).toMatchObject({
      code: "ALLOWED_ONLY_WHEN",
      params: { field: "mode", value: "HTTP" },
    });
    expect(byField(shell, "httpBody")).toMatchObject({
      code: "ALLOWED_ONLY_WHEN",
      params: { field: "mode", value: "HTTP" },
    });
    expect(byField(shell, "notifyChannel")).toMatchObject({
      code: "REQUIRED_UNLESS",
      params: { field: "notifyPolicy", value: "NONE" },
    });
  });

  it("codes the cron preview's refusals", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/cron/preview",
      payload: { cron: "not a cron", timezone: "UTC" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0]).toMatchObject({ field: "cron", code: "CRON" });
    const zone = await t.app.inject({
      method: "POST",
      url: "/api/cron/preview",
      payload: { cron: "* * * * *", timezone: "Nowhere/Land" },
    });
    expect(zone.json().details[0]).toMatchObject({ field: "timezone", code: "UNKNOWN_ZONE" });
  });

  it("names a duplicate name by the error's code", async () => {
    const task = await createTask(t.app);
    const res = await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask({ name: task.name }) });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "NAME_TAKEN", details: [{ field: "name" }] });
  });
});

import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, roleHeaders, startTestApp, type TestApp } from "./helpers.ts";

// The dashboard's task form defaults to the zone GET /api/settings reports, which must be the one
// the API gives a task created without a zone, so a task means the same through either.

const providers = await testProviders();

describe.each(providers)("GET /api/settings on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { timezone: "Asia/Shanghai", outputLimitBytes: 4096 });
  });
  afterAll(async () => t?.close());

  it("reports the stored output cap and the server's zone, the one a task created without a zone gets", async () => {
    const viewer = await roleHeaders(t.app, "viewer");
    const res = await t.app.inject({ method: "GET", url: "/api/settings", headers: viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ timezone: "Asia/Shanghai", outputLimitBytes: 4096, notifyLanguage: "en" });

    const { id } = await createTask(t.app, { cron: "0 3 * * *" });
    const task = (await t.app.inject({ method: "GET", url: `/api/tasks/${id}` })).json();
    expect(task.timezone).toBe(res.json().timezone);
    // 03:00 in Shanghai is 19:00 UTC.
    expect(new Date(task.nextRunAt).getUTCHours()).toBe(19);
  });

  it("needs a signed-in caller", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/settings", headers: { authorization: "" } });
    expect(res.statusCode).toBe(401);
  });
});

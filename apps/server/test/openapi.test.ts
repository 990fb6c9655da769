import SwaggerParser from "@apidevtools/swagger-parser";
import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./helpers.ts";

const providers = await testProviders();

describe("OpenAPI, docs and health", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite");
  });
  afterAll(async () => t?.close());

  it("publishes a valid OpenAPI 3 document covering every API route", async () => {
    const res = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    // validate() throws on any schema or reference error.
    await SwaggerParser.validate(structuredClone(doc));
    const paths = Object.keys(doc.paths);
    for (const path of ["/api/tasks/", "/api/tasks/{id}", "/api/cron/preview", "/healthz", "/readyz"]) {
      expect(paths).toContain(path);
    }
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length, `${method} ${path} documents its responses`).toBeGreaterThan(0);
      }
    }
    expect(doc.paths["/api/tasks/"].post.requestBody.content["application/json"].schema.properties.cron).toBeDefined();
  });

  it("serves Swagger UI at /docs", async () => {
    const res = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("swagger");
  });

  it("answers health and readiness", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ready" });
  });

  it.runIf(providers.includes("mysql"))("reports not ready once the MySQL database is gone", async () => {
    const other = await startTestApp("mysql");
    try {
      expect((await other.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      await other.database.drop();
      const res = await other.app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe("DATABASE_UNAVAILABLE");
    } finally {
      await other.close();
    }
  });

  it("previews a cron expression in English and Chinese, or names the bad field", async () => {
    const en = await t.app.inject({
      method: "POST",
      url: "/api/cron/preview",
      payload: { cron: "0 3 * * *", timezone: "Asia/Shanghai" },
    });
    expect(en.statusCode).toBe(200);
    expect(en.json().description).toMatch(/03:00/);
    expect(en.json().nextRuns).toHaveLength(5);
    expect(new Date(en.json().nextRuns[0]).getUTCHours()).toBe(19);
    const zh = await t.app.inject({
      method: "POST",
      url: "/api/cron/preview?locale=zh_CN",
      payload: { cron: "*/5 * * * *" },
    });
    expect(zh.json().description).toContain("分钟");
    const bad = await t.app.inject({ method: "POST", url: "/api/cron/preview", payload: { cron: "99 * * * *" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe("cron");
  });

  it("answers unknown API paths with the error shape", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: "NOT_FOUND" });
  });
});

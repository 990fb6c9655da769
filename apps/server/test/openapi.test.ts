import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellTask, startTestApp, type TestApp } from "./helpers.ts";

const providers = await testProviders();
const serverDir = fileURLToPath(new URL("..", import.meta.url));

interface Operation {
  operationId?: string;
  description?: string;
  security?: unknown[];
  responses: object;
}

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
    for (const path of ["/api/tasks", "/api/tasks/{id}", "/api/cron/preview", "/healthz", "/readyz"]) {
      expect(paths).toContain(path);
    }
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length, `${method} ${path} documents its responses`).toBeGreaterThan(0);
      }
    }
    expect(doc.paths["/api/tasks"].post.requestBody.content["application/json"].schema.properties.cron).toBeDefined();
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    // The document clients generate from is the one the app builds, linted as CI would by hand.
    const dir = await mkdtemp(join(tmpdir(), "crondeck-openapi-"));
    try {
      await writeFile(join(dir, "openapi.json"), JSON.stringify(t.app.swagger()));
      // The config and its listed exceptions apply to a file named openapi.json next to them.
      for (const file of ["redocly.yaml", ".redocly.lint-ignore.yaml"]) {
        await copyFile(join(serverDir, file), join(dir, file));
      }
      const cli = join(serverDir, "node_modules/@redocly/cli/bin/cli.js");
      const { stdout } = await promisify(execFile)(process.execPath, [cli, "lint", "openapi.json", "--format=json"], {
        cwd: dir,
        // Offline: no usage report and no update check.
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }));
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number; ignored: number };
        problems: { ruleId: string; message: string; location: { pointer?: string }[] }[];
      };
      const problems = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      expect(problems).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names every operation, declares its security and publishes collections without a trailing slash", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(doc.servers).toEqual([expect.objectContaining({ url: "/" })]);
    const ids: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      expect(path === "/" || !path.endsWith("/"), path).toBe(true);
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        ids.push(op.operationId as string);
        expect(op.security, `${method} ${path} declares its security`).toBeDefined();
        // The role sentence is added once, though a GET shares its schema with its HEAD twin.
        expect(op.description?.match(/Requires the/g)?.length ?? 0, `${method} ${path}`).toBeLessThanOrEqual(1);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/api/tasks"].get.operationId).toBe("listTasks");
    expect(doc.paths["/api/tasks"].post.operationId).toBe("createTask");
    expect(doc.paths["/api/runs/{id}"].get.operationId).toBe("getRun");
    expect(doc.paths["/api/auth/login"].post.security).toEqual([]);
    expect(doc.paths["/api/tasks"].get.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(doc.paths["/api/tokens"].post.security).toEqual([{ sessionCookie: [] }]);
    const created = doc.paths["/api/tasks"].post.requestBody.content["application/json"];
    expect(Object.keys(created.examples)).toEqual(["shell", "http"]);
    expect(created.examples.http.value.enabled).toBe(false);
    expect(doc.paths["/api/tasks/{id}"].patch.requestBody.content["application/json"].examples.disable.value).toEqual({
      enabled: false,
    });
    expect(doc.paths["/api/auth/login"].post.requestBody.content["application/json"].examples.admin).toBeDefined();
  });

  it("answers collections with and without the trailing slash, as before", async () => {
    for (const url of ["/api/tasks", "/api/tasks/", "/api/runs", "/api/runs/"]) {
      const res = await t.app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(200);
      expect(res.json().items, url).toEqual([]);
    }
    const created = await t.app.inject({ method: "POST", url: "/api/tasks/", payload: shellTask({ enabled: false }) });
    expect(created.statusCode).toBe(201);
  });

  it("accepts the published task example as it is", async () => {
    const doc = t.app.swagger() as unknown as {
      paths: Record<
        string,
        Record<string, { requestBody: { content: Record<string, { examples: Record<string, { value: object }> }> } }>
      >;
    };
    const { shell, http } = doc.paths["/api/tasks"]?.post?.requestBody.content["application/json"]?.examples ?? {};
    for (const example of [shell, http]) {
      const res = await t.app.inject({ method: "POST", url: "/api/tasks", payload: example?.value });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject(example?.value ?? { missing: true });
    }
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

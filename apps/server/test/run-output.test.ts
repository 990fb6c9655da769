import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outputFileName } from "../src/routes/api/runs/index.ts";
import { createTask, roleHeaders, runNow, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

// Downloading a run's output (issue 15): the stored output as a text/plain attachment, for any
// signed-in role that may read runs, saying whether it was capped.

const providers = await testProviders();

describe.each(providers)("GET /api/runs/:id/output on %s", (provider) => {
  let t: TestApp;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    // A small cap, so a few KiB of output is truncated; no full copy kept (run-full-output.test.ts).
    t = await startTestApp(provider, { outputLimitBytes: 1024, runOutputMaxBytes: 0 });
    viewer = await roleHeaders(t.app, "viewer");
  });
  afterAll(async () => t?.close());

  const download = (id: number | string, headers: Record<string, string> = viewer) =>
    t.app.inject({ method: "GET", url: `/api/runs/${id}/output`, headers });

  it("sends the output with its ANSI escapes as a text attachment named after the run and task", async () => {
    const task = await createTask(t.app, {
      name: "Nightly backup / 夜间",
      command: "printf '\\033[31mred\\033[0m plain\\n'; echo 'ünïcode 中文' >&2",
    });
    const runId = await runNow(t.app, task.id);
    const run = await waitForRun(t.app, runId);
    expect(run.status).toBe("SUCCEEDED");

    const res = await download(runId);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="run-${runId}-Nightly-backup.log"`);
    expect(res.headers["x-output-truncated"]).toBe("false");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toBe(run.output);
    expect(res.body).toContain("\u001b[31mred\u001b[0m plain\n");
    expect(res.body).toContain("ünïcode 中文");
    expect(Number(res.headers["x-output-bytes"])).toBe(Buffer.byteLength(res.body));
  });

  it("says when the output was capped, and still sends what was kept", async () => {
    const task = await createTask(t.app, { command: "seq 1 2000" });
    const runId = await runNow(t.app, task.id);
    const run = await waitForRun(t.app, runId);
    const res = await download(runId);
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-output-truncated"]).toBe("true");
    expect(res.headers["x-output-full"]).toBe("false");
    expect(res.headers["x-output-partial"]).toBe("true");
    expect(Number(res.headers["x-output-bytes"])).toBe(
      Buffer.byteLength(Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join("")),
    );
    expect(res.body).toBe(run.output);
    expect(res.body.startsWith("1\n2\n")).toBe(true);
    expect(res.body.endsWith("1999\n2000\n")).toBe(true);
    expect(res.body).toMatch(/…\[\d+ bytes truncated\]…/);
  });

  it("answers an unknown run with 404 and a bad id with 400 naming it", async () => {
    const missing = await download(987654);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "NOT_FOUND" });
    const bad = await download("abc");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details?.[0]?.field ?? bad.json().message).toMatch(/id/);
  });

  it("is refused to an anonymous caller", async () => {
    const task = await createTask(t.app, { command: "echo secret-output" });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId);
    const res = await download(runId, { authorization: "" });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain("secret-output");
  });
});

describe("outputFileName", () => {
  it("keeps only characters safe in a header and a file name", () => {
    expect(outputFileName(7, "report")).toBe("run-7-report.log");
    expect(outputFileName(7, 'a"b\r\nc; filename=x')).toBe("run-7-a-b-c-filename-x.log");
    expect(outputFileName(7, "中文任务")).toBe("run-7.log");
    expect(outputFileName(7, "Café")).toBe("run-7-Cafe.log");
    expect(outputFileName(7, "x".repeat(200))).toBe(`run-7-${"x".repeat(60)}.log`);
  });
});

import { testProviders } from "@crondeck/db/testing";
import { closedPort, startHttpTarget } from "@crondeck/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, runNow, startTestApp, type TestApp, taskRuns, waitForRun } from "./helpers.ts";
import { sseEvents } from "./sse-events.ts";

// Every run error carries a code and its params next to the English text, so a client (the
// dashboard in Chinese) can say it in its own language: real shells, real HTTP, real databases.

const providers = await testProviders();

describe.each(providers)("run error codes on %s", (provider) => {
  let t: TestApp;
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    t = await startTestApp(provider, { secretsKey: "test-secrets-key-0123456789" });
    target = await startHttpTarget((req) => {
      if (req.url.startsWith("/fail")) return { status: 500, body: "boom" };
      return { body: "ok" };
    });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it("a shell exit: EXIT_CODE with the code, in the run, the runs lists and the final SSE status", async () => {
    const task = await createTask(t.app, { command: "echo before; exit 3" });
    const runId = await runNow(t.app, task.id);
    const run = await waitForRun(t.app, runId);
    expect(run).toMatchObject({
      status: "FAILED",
      exitCode: 3,
      error: "exited with code 3",
      errorCode: "EXIT_CODE",
      errorParams: { code: 3 },
    });
    const listed = (await t.app.inject({ method: "GET", url: `/api/runs?taskId=${task.id}` })).json().items[0];
    expect(listed).toMatchObject({ id: runId, errorCode: "EXIT_CODE", errorParams: { code: 3 } });
    expect((await taskRuns(t.app, task.id))[0]).toMatchObject({ errorCode: "EXIT_CODE", errorParams: { code: 3 } });

    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const text = await (
      await fetch(`${address}/api/runs/${runId}/stream`, { headers: { authorization: `Bearer ${t.token}` } })
    ).text();
    const status = sseEvents(text)
      .filter((e) => e.event === "status")
      .map((e) => JSON.parse(e.data))
      .at(-1);
    expect(status).toMatchObject({ status: "FAILED", errorCode: "EXIT_CODE", errorParams: { code: 3 } });
  });

  it("a timeout: TIMED_OUT with the seconds", async () => {
    const task = await createTask(t.app, { command: "sleep 30", timeoutSeconds: 1 });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({
      status: "TIMED_OUT",
      error: "timed out after 1 s",
      errorCode: "TIMED_OUT",
      errorParams: { seconds: 1 },
    });
  });

  it("a user's cancel: CANCELED_BY_USER", async () => {
    const task = await createTask(t.app, { command: "echo go; sleep 60" });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId, (r) => r.status === "RUNNING" && r.output.includes("go"));
    expect((await t.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` })).statusCode).toBe(202);
    const run = await waitForRun(t.app, runId);
    expect(run).toMatchObject({ status: "CANCELED", errorCode: "CANCELED_BY_USER", errorParams: null });
    expect(run.error).toMatch(/^canceled by a user/);
  });

  it("an HTTP 500 from a real target: HTTP_STATUS with the status", async () => {
    const task = await createTask(t.app, { mode: "HTTP", httpMethod: "GET", command: `${target.url}/fail` });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({
      status: "FAILED",
      httpStatus: 500,
      errorCode: "HTTP_STATUS",
      errorParams: { status: 500, statusText: "Internal Server Error" },
    });
    expect(run.error).toBe("HTTP 500 Internal Server Error");
  });

  it("a refused connection: HTTP_CONNECTION_REFUSED with the address", async () => {
    const port = await closedPort();
    const task = await createTask(t.app, { mode: "HTTP", httpMethod: "GET", command: `http://127.0.0.1:${port}/x` });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({
      status: "FAILED",
      errorCode: "HTTP_CONNECTION_REFUSED",
      errorParams: { address: `127.0.0.1:${port}` },
    });
    expect(run.error).toContain("ECONNREFUSED");
  });

  it("a FORBID skip: SKIPPED_FORBID, and its blocking run is still found", async () => {
    const task = await createTask(t.app, { command: "sleep 1.5", concurrencyPolicy: "FORBID" });
    const first = await runNow(t.app, task.id);
    await waitForRun(t.app, first, (r) => r.status === "RUNNING");
    const skipped = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(skipped).toMatchObject({ status: "SKIPPED", errorCode: "SKIPPED_FORBID", errorParams: null });
    expect(skipped.error).toMatch(/FORBID/);
    expect((skipped as unknown as { blockedBy: number }).blockedBy).toBe(first);
    expect((await waitForRun(t.app, first)).status).toBe("SUCCEEDED");
  });

  it("a missing secret: SECRET_MISSING naming it", async () => {
    const task = await createTask(t.app, { command: 'echo "${secret:NOT_THERE}"' });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({
      status: "FAILED",
      error: "the task references a secret that does not exist: NOT_THERE",
      errorCode: "SECRET_MISSING",
      errorParams: { names: "NOT_THERE" },
    });
  });

  it("a stop that outlives its grace: CANCELED_SHUTDOWN", async () => {
    const own = await startTestApp(provider);
    try {
      const task = await createTask(own.app, { command: "sleep 30" });
      const runId = await runNow(own.app, task.id);
      await waitForRun(own.app, runId, (r) => r.status === "RUNNING");
      await own.app.engine.stop(200);
      const row = await own.app.database.db.run.findUniqueOrThrow({ where: { id: runId } });
      expect(row).toMatchObject({ status: "CANCELED", errorCode: "CANCELED_SHUTDOWN", errorParams: null });
      expect(row.error).toMatch(/^canceled: Crondeck was shutting down/);
    } finally {
      await own.close();
    }
  });

  it("a success has no error code", async () => {
    const task = await createTask(t.app, { command: "exit 0" });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({ status: "SUCCEEDED", error: null, errorCode: null, errorParams: null });
  });
});

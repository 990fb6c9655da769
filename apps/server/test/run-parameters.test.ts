import { startHttpTarget } from "@crondeck/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, roleHeaders, startTestApp, type TestApp, taskRuns, waitForRun } from "./helpers.ts";

// Run once with parameters: a manual run overlays the task's environment and overrides the fields
// its mode declares (HTTP: headers merged, body replaced). The run records them, its retries reuse
// them, secrets they reference are masked, and a field the mode does not declare is refused.
// Every task here is disabled, so its schedule never fires among the manual runs (they still run).

const VALUE = "Param-s3cret-value";

describe.each(["sqlite", "mysql"] as const)("run with parameters on %s", (provider) => {
  let t: TestApp;
  const target = startHttpTarget((req) => ({ body: `got ${req.headers["x-trace"] ?? "-"} ${req.body}` }));
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true, secretsKey: "test-secrets-key-0123456789" });
  });
  afterAll(async () => {
    await t?.close();
    await (await target).close();
  });

  const run = (taskId: number, payload?: unknown, headers?: Record<string, string>) =>
    t.app.inject({
      method: "POST",
      url: `/api/tasks/${taskId}/run`,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      ...(headers ? { headers } : {}),
    });
  const runCount = () => t.app.database.db.run.count();

  it("gives a SHELL run the env parameter over the task's, records it, and audits only names", async () => {
    const task = await createTask(t.app, {
      enabled: false,
      command: 'echo "$GREETING $OTHER"',
      env: { GREETING: "task-value", OTHER: "kept" },
    });
    const res = await run(task.id, { env: { GREETING: "param 你好" } });
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForRun(t.app, res.json().runId);
    expect(done).toMatchObject({ status: "SUCCEEDED", output: "param 你好 kept\n" });
    expect(done.parameters).toEqual({ env: { GREETING: "param 你好" } });
    // In lists too (found by id: the task's own schedule may fire meanwhile).
    const listed = (await taskRuns(t.app, task.id)).find((r) => r.id === done.id);
    expect(listed?.parameters).toEqual({ env: { GREETING: "param 你好" } });

    const audit = await t.app.database.db.auditEntry.findFirstOrThrow({
      where: { action: "task.run", taskId: task.id },
    });
    expect(audit.after).toContain("env.GREETING");
    expect(audit.after).not.toContain("param 你好");

    // No body: today's run, with the task's own environment and no parameters.
    const plain = await run(task.id);
    expect(plain.statusCode, plain.body).toBe(202);
    expect(await waitForRun(t.app, plain.json().runId)).toMatchObject({
      output: "task-value kept\n",
      parameters: null,
    });
    // An empty object, or empty maps, are no parameters either.
    const empty = await waitForRun(t.app, (await run(task.id, {})).json().runId);
    expect(empty.parameters).toBeNull();
    const emptyEnv = await waitForRun(t.app, (await run(task.id, { env: {} })).json().runId);
    expect(emptyEnv.parameters).toBeNull();
  });

  it("overrides an HTTP run's body and merges its headers over the task's", async () => {
    const hook = await target;
    const task = await createTask(t.app, {
      enabled: false,
      mode: "HTTP",
      httpMethod: "POST",
      command: `${hook.url}/hook-\${PART}`,
      httpHeaders: { "X-Trace": "task-trace", "X-Kept": "kept" },
      httpBody: '{"from":"task"}',
      env: { PART: "task" },
    });
    const res = await run(task.id, {
      env: { PART: "param" },
      httpHeaders: { "x-trace": "param-trace" },
      httpBody: '{"from":"${PART}"}',
    });
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForRun(t.app, res.json().runId);
    expect(done.status).toBe("SUCCEEDED");
    const got = hook.received.find((r) => r.url === "/hook-param");
    expect(got?.body).toBe('{"from":"param"}');
    expect(got?.headers["x-trace"]).toBe("param-trace");
    expect(got?.headers["x-kept"]).toBe("kept");
    expect(done.parameters).toEqual({
      env: { PART: "param" },
      httpHeaders: { "x-trace": "param-trace" },
      httpBody: '{"from":"${PART}"}',
    });
  });

  it("resolves ${secret:NAME} in a parameter, masks it in stored output, and masks credential headers", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/secrets",
      payload: { name: "P_TOKEN", value: VALUE },
    });
    expect(created.statusCode, created.body).toBe(201);
    const shell = await createTask(t.app, { enabled: false, command: 'echo "token=$TOKEN"' });
    const shellRun = await waitForRun(
      t.app,
      (await run(shell.id, { env: { TOKEN: "${secret:P_TOKEN}" } })).json().runId,
    );
    expect(shellRun).toMatchObject({ status: "SUCCEEDED", output: "token=***\n" });
    expect(shellRun.parameters).toEqual({ env: { TOKEN: "${secret:P_TOKEN}" } });

    const hook = await target;
    const http = await createTask(t.app, {
      enabled: false,
      mode: "HTTP",
      httpMethod: "GET",
      command: `${hook.url}/secret-check`,
    });
    const res = await run(http.id, {
      httpHeaders: { Authorization: "Bearer literal-credential", "X-Trace": "${secret:P_TOKEN}" },
    });
    expect(res.statusCode, res.body).toBe(202);
    const done = await waitForRun(t.app, res.json().runId);
    expect(hook.received.find((r) => r.url === "/secret-check")?.headers.authorization).toBe(
      "Bearer literal-credential",
    );
    expect(done.output).toBe("got *** ");
    // Readers see the credential header masked, as on the task.
    expect(done.parameters).toEqual({ httpHeaders: { Authorization: "***", "X-Trace": "${secret:P_TOKEN}" } });
    const body = (await t.app.inject({ method: "GET", url: `/api/runs/${done.id}` })).body;
    expect(body).not.toContain("literal-credential");
    expect(body).not.toContain(VALUE);
  });

  it("refuses a field the task's mode does not allow, and bad env names, creating no run", async () => {
    const shell = await createTask(t.app, { enabled: false, command: "echo hi" });
    const getTask = await createTask(t.app, {
      enabled: false,
      mode: "HTTP",
      httpMethod: "GET",
      command: "http://127.0.0.1:9/x",
    });
    const before = await runCount();
    for (const [id, payload, field, code] of [
      [shell.id, { httpBody: "x" }, "httpBody", "ALLOWED_ONLY_WHEN"],
      [shell.id, { httpHeaders: { A: "b" } }, "httpHeaders", "ALLOWED_ONLY_WHEN"],
      [getTask.id, { httpBody: "x" }, "httpBody", "ALLOWED_ONLY_WHEN"],
      [getTask.id, { httpHeaders: { "bad name": "b" } }, "httpHeaders.bad name", "HEADER_NAME"],
      [shell.id, { env: { "1BAD": "x" } }, "env.1BAD", "PATTERN"],
      [shell.id, { env: { CRONDECK_RUN_ID: "x" } }, "env.CRONDECK_RUN_ID", "INVALID"],
      [shell.id, { command: "rm -rf /" }, "command", "UNKNOWN_FIELD"],
    ] as const) {
      const res = await run(id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().details[0]).toMatchObject({ field, code });
    }
    expect(await runCount()).toBe(before);
    // Viewers may not run, with or without parameters.
    const viewer = await run(shell.id, { env: { A: "b" } }, await roleHeaders(t.app, "viewer"));
    expect(viewer.statusCode).toBe(403);
    const operator = await run(shell.id, { env: { A: "b" } }, await roleHeaders(t.app, "operator"));
    expect(operator.statusCode, operator.body).toBe(202);
  });

  it("keeps the parameters on the retry of a failing run", async () => {
    const task = await createTask(t.app, {
      enabled: false,
      command: 'echo "attempt with $MARK"; exit 3',
      retryCount: 1,
      retryIntervalSeconds: 1,
    });
    const first = (await run(task.id, { env: { MARK: "param-mark" } })).json().runId as number;
    const retry = await (async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = (await taskRuns(t.app, task.id)).find((r) => r.attempt === 2);
        if (found) return waitForRun(t.app, found.id);
        if (Date.now() > deadline) throw new Error("no retry");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    expect(retry).toMatchObject({ trigger: "RETRY", status: "FAILED", output: "attempt with param-mark\n" });
    expect(retry.rootRunId).toBe(first);
    expect(retry.parameters).toEqual({ env: { MARK: "param-mark" } });
    expect((await waitForRun(t.app, first)).parameters).toEqual({ env: { MARK: "param-mark" } });
  });
});

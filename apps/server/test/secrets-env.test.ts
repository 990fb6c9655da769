import { Writable } from "node:stream";
import { closedPort, startHttpTarget } from "@crondeck/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTask,
  eventually,
  roleHeaders,
  runNow,
  shellTask,
  startTestApp,
  type TestApp,
  taskCount,
  waitForRun,
} from "./helpers.ts";
import { sseEvents } from "./sse-events.ts";

// Issue 16: environment per task and the secrets store. A secret's value reaches only what the run
// was given (the command's environment, the HTTP request) and is masked as *** everywhere it could
// come back: stored output, live output, the run's error, a notification.

const VALUE = "Sup3r-s3cret-value";
const ROTATED = "r0tated-value-2";

describe.each(["sqlite", "mysql"] as const)("environment and secrets on %s", (provider) => {
  let t: TestApp;
  const target = startHttpTarget((req) => ({ body: `echo auth=${req.headers.authorization} url=${req.url}` }));
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true, secretsKey: "test-secrets-key-0123456789" });
  });
  afterAll(async () => {
    await t?.close();
    await (await target).close();
  });

  const secret = (name: string, value: string) =>
    t.app.inject({ method: "POST", url: "/api/secrets", payload: { name, value } });

  it("stores a secret encrypted, lists it without its value, and refuses bad names and viewers", async () => {
    const created = await secret("API_TOKEN", VALUE);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: "API_TOKEN", updatedBy: "test-admin" });
    expect(created.body).not.toContain(VALUE);
    expect((await secret("API_TOKEN", "another-one")).json()).toMatchObject({ statusCode: 409, code: "SECRET_EXISTS" });
    const bad = await secret("1st-token", VALUE);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe("name");
    const short = await secret("SHORT", "abc");
    expect(short.json().details[0].field).toBe("value");

    const list = await t.app.inject({ method: "GET", url: "/api/secrets" });
    expect(list.json().items.map((s: { name: string }) => s.name)).toEqual(["API_TOKEN"]);
    expect(list.body).not.toContain(VALUE);
    const viewer = await t.app.inject({
      method: "GET",
      url: "/api/secrets",
      headers: await roleHeaders(t.app, "viewer"),
    });
    expect(viewer.statusCode).toBe(403);

    const row = await t.app.database.db.secret.findUniqueOrThrow({ where: { name: "API_TOKEN" } });
    expect(row.value).not.toContain(VALUE);
    expect(Buffer.from(row.value, "base64").toString("latin1")).not.toContain(VALUE);
    const audit = await t.app.database.db.auditEntry.findMany({ where: { action: "secret.create" } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).toContain("API_TOKEN");
    expect(JSON.stringify(audit)).not.toContain(VALUE);
  });

  it("refuses a bad environment naming the variable, and stores nothing", async () => {
    const before = await taskCount(t.app);
    for (const [env, field] of [
      [{ "1BAD": "x" }, "env.1BAD"],
      [{ "A-B": "x" }, "env.A-B"],
      [{ CRONDECK_RUN_ID: "x" }, "env.CRONDECK_RUN_ID"],
      [{ OK: "a\u0000b" }, "env.OK"],
    ] as const) {
      const res = await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask({ env }) });
      expect(res.statusCode, JSON.stringify(env)).toBe(400);
      expect(res.json().details[0].field).toBe(field);
    }
    expect(await taskCount(t.app)).toBe(before);
  });

  it("gives a SHELL run its environment and the secret, masked in stored and live output and in its notification", async () => {
    const hook = await target;
    const task = await createTask(t.app, {
      command: `echo "$GREETING $TOKEN"; echo "inline \${secret:API_TOKEN}"; printf 'split=${VALUE.slice(0, 6)}'; sleep 0.2; printf '${VALUE.slice(6)}\n'; echo "err \${secret:API_TOKEN}" >&2`,
      env: { GREETING: "hello 你好", TOKEN: "${secret:API_TOKEN}" },
      notifyPolicy: "ON_END",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: `${hook.url}/notify`,
      notifyWebhookFormat: "JSON",
    });
    expect((task as unknown as { env: unknown }).env).toEqual({ GREETING: "hello 你好", TOKEN: "${secret:API_TOKEN}" });
    const runId = await runNow(t.app, task.id);
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const live = sseEvents(
      await (
        await fetch(`${address}/api/runs/${runId}/stream`, { headers: { authorization: `Bearer ${t.token}` } })
      ).text(),
    )
      .filter((e) => e.event === "output")
      .map((e) => JSON.parse(e.data).text)
      .join("");
    const run = await waitForRun(t.app, runId);
    expect(run.status).toBe("SUCCEEDED");
    // stdout in order; stderr's line may land anywhere after its own write.
    expect(run.output.replace("err ***\n", "")).toBe("hello 你好 ***\ninline ***\nsplit=***\n");
    expect(run.output).toContain("err ***\n");
    expect(live).not.toContain(VALUE);
    expect(live).toContain("hello 你好 ***");
    const notified = await eventually(async () => hook.received.find((r) => r.url === "/notify"));
    expect(notified.body).toContain("hello 你好 ***");
    expect(notified.body).not.toContain(VALUE);
    // Nothing the API answers about the task or its run holds the value.
    for (const url of [`/api/tasks/${task.id}`, `/api/runs/${runId}`, `/api/runs/${runId}/output`])
      expect((await t.app.inject({ method: "GET", url })).body).not.toContain(VALUE);
  });

  it("resolves secrets and ${NAME} in an HTTP request, masks what comes back, and follows a rotation", async () => {
    const hook = await target;
    const task = await createTask(t.app, {
      mode: "HTTP",
      httpMethod: "GET",
      command: `${hook.url}/\${PATH_PART}?v=\${secret:API_TOKEN}`,
      httpHeaders: { Authorization: "Bearer ${secret:API_TOKEN}" },
      env: { PATH_PART: "resolved" },
    });
    const first = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(first.status).toBe("SUCCEEDED");
    const got = hook.received.filter((r) => r.url.startsWith("/resolved"));
    expect(got.at(-1)).toMatchObject({ url: `/resolved?v=${VALUE}` });
    expect(got.at(-1)?.headers.authorization).toBe(`Bearer ${VALUE}`);
    // The target echoes what it got: the run keeps it masked.
    expect(first.output).toBe("echo auth=Bearer *** url=/resolved?v=***");

    // Rotating the value needs no edit of the task.
    const put = await t.app.inject({ method: "PUT", url: "/api/secrets/API_TOKEN", payload: { value: ROTATED } });
    expect(put.statusCode, put.body).toBe(200);
    const second = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(hook.received.at(-1)?.headers.authorization).toBe(`Bearer ${ROTATED}`);
    expect(second.output).not.toContain(ROTATED);
  });

  it("fails a run whose secret is gone, naming it, without starting it", async () => {
    expect((await secret("SHORT_LIVED", "value-for-a-while")).statusCode).toBe(201);
    const task = await createTask(t.app, { command: 'echo "${secret:SHORT_LIVED}" > /dev/null; echo ran' });
    expect((await t.app.inject({ method: "DELETE", url: "/api/secrets/SHORT_LIVED" })).statusCode).toBe(204);
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({ status: "FAILED", output: "" });
    expect(run.error).toBe("the task references a secret that does not exist: SHORT_LIVED");
  });
});

describe.each(["sqlite", "mysql"] as const)("the server's log on %s", (provider) => {
  // Everything the server logs at its most verbose level, while secrets are written, resolved,
  // printed, sent in a failing HTTP request and carried in a failed run's error.
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      provider,
      { scheduler: true, secretsKey: "test-secrets-key-0123456789" },
      { logger: { level: "trace", stream } },
    );
  });
  afterAll(async () => t?.close());

  it("never holds a secret's value", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/secrets",
      payload: { name: "LOGGED", value: VALUE },
    });
    expect(created.statusCode, created.body).toBe(201);
    const rotated = await t.app.inject({ method: "PUT", url: "/api/secrets/LOGGED", payload: { value: ROTATED } });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const shell = await createTask(t.app, {
      command: 'echo "printed ${secret:LOGGED}"; echo "to stderr $TOKEN" >&2; exit 3',
      env: { TOKEN: "${secret:LOGGED}" },
    });
    const closed = await closedPort();
    const http = await createTask(t.app, {
      mode: "HTTP",
      httpMethod: "GET",
      command: `http://127.0.0.1:${closed}/\${secret:LOGGED}`,
      httpHeaders: { Authorization: "Bearer ${secret:LOGGED}" },
    });
    const runs = [await runNow(t.app, shell.id), await runNow(t.app, http.id)];
    for (const runId of runs) expect((await waitForRun(t.app, runId)).status).toBe("FAILED");
    const log = lines.join("");
    // The capture works: the requests and the runs are in it.
    expect(log).toContain("/api/secrets/LOGGED");
    expect(log).toContain(`/api/tasks/${shell.id}/run`);
    expect(log).not.toContain(VALUE);
    expect(log).not.toContain(ROTATED);
  });
});

describe("without SECRETS_KEY", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { scheduler: true });
  });
  afterAll(async () => t?.close());

  it("answers the secrets API with 503 and fails a run that references a secret", async () => {
    const list = await t.app.inject({ method: "GET", url: "/api/secrets" });
    expect(list.statusCode).toBe(503);
    expect(list.json().code).toBe("SECRETS_DISABLED");
    const post = await t.app.inject({ method: "POST", url: "/api/secrets", payload: { name: "X", value: "abcd" } });
    expect(post.json().code).toBe("SECRETS_DISABLED");
    const task = await createTask(t.app, { command: 'echo "${secret:X}"' });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.status).toBe("FAILED");
    expect(run.error).toContain("the secrets store is off");
  });
});

import { startHttpTarget } from "@crondeck/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleHeaders, runNow, startTestApp, storedSettings, type TestApp, waitForRun } from "./helpers.ts";

// Header credentials and robot webhook tokens are write-only: nobody reads them back, the audit
// log holds them masked, and the mask sent back on an edit keeps what is stored.

const API_KEY = "key-4b1d9e-SECRET";
const BEARER = "Bearer tok-77aa-SECRET";
const ROBOT = "robot-5c3f-SECRET";

describe("credentials in tasks", () => {
  let t: TestApp;
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  let viewer: Record<string, string>;
  let task: { id: number; name: string };
  const hookUrl = () => `${target.url}/robot/send?access_token=${ROBOT}`;

  beforeAll(async () => {
    t = await startTestApp("sqlite");
    target = await startHttpTarget();
    viewer = await roleHeaders(t.app, "viewer");
    const res = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: {
        name: "with-secrets",
        mode: "HTTP",
        httpMethod: "GET",
        cron: "0 0 1 1 *",
        command: `${target.url}/api`,
        httpHeaders: { Authorization: BEARER, "X-Api-Key": API_KEY, Accept: "text/plain" },
        notifyPolicy: "ON_FAILURE",
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: hookUrl(),
      },
    });
    expect(res.statusCode).toBe(201);
    task = res.json();
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it("shows a viewer (and everyone) the header values and webhook token masked", async () => {
    for (const headers of [viewer, {}]) {
      const one = await t.app.inject({ method: "GET", url: `/api/tasks/${task.id}`, headers });
      expect(one.statusCode).toBe(200);
      expect(one.json().httpHeaders).toEqual({ Authorization: "***", "X-Api-Key": "***", Accept: "text/plain" });
      expect(one.json().notifyWebhookUrl).toBe(`${target.url}/robot/send?access_token=***`);
      const list = await t.app.inject({ method: "GET", url: "/api/tasks", headers });
      for (const body of [one.body, list.body]) {
        for (const secret of [API_KEY, BEARER, ROBOT]) expect(body).not.toContain(secret);
      }
    }
  });

  it("keeps the stored values when an edit sends the masks back, and still sends the real ones", async () => {
    const shown = (await t.app.inject({ method: "GET", url: `/api/tasks/${task.id}` })).json();
    const { id, createdAt, updatedAt, nextRunAt, notifyWebhookSecretSet, lastRun, ...input } = shown;
    const put = await t.app.inject({
      method: "PUT",
      url: `/api/tasks/${task.id}`,
      payload: { ...input, remark: "edited with the masks" },
    });
    expect(put.statusCode).toBe(200);
    const patch = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { timeoutSeconds: 30 },
    });
    expect(patch.statusCode).toBe(200);
    const stored = await storedSettings(t.app, task.id);
    expect(stored.mode.httpHeaders).toEqual({ Authorization: BEARER, "X-Api-Key": API_KEY, Accept: "text/plain" });
    expect(stored.notify.WEBHOOK?.notifyWebhookUrl).toBe(hookUrl());

    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.status).toBe("SUCCEEDED");
    const sent = target.received.find((r) => r.url === "/api");
    expect(sent?.headers.authorization).toBe(BEARER);
    expect(sent?.headers["x-api-key"]).toBe(API_KEY);

    // A test message from the edit form (masked URL + the task's id) reaches the stored URL.
    const test = await t.app.inject({
      method: "POST",
      url: "/api/notifications/test",
      payload: { notifyChannel: "WEBHOOK", notifyWebhookUrl: shown.notifyWebhookUrl, taskId: task.id },
    });
    expect(test.json()).toMatchObject({ ok: true });
    expect(test.body).not.toContain(ROBOT);
    expect(target.received.some((r) => r.url === `/robot/send?access_token=${ROBOT}`)).toBe(true);
  });

  it("changes or removes a credential when told to, and refuses a mask it cannot fill", async () => {
    const changed = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { httpHeaders: { Authorization: "Bearer new-one", Accept: "text/plain" } },
    });
    expect(changed.statusCode).toBe(200);
    expect((await storedSettings(t.app, task.id)).mode.httpHeaders).toEqual({
      Authorization: "Bearer new-one",
      Accept: "text/plain",
    });

    const unknownMask = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { httpHeaders: { "X-Auth-Token": "***" } },
    });
    expect(unknownMask.statusCode).toBe(400);
    expect(unknownMask.json().details).toEqual([
      { field: "httpHeaders.X-Auth-Token", message: expect.any(String), code: "MASKED_HEADER" },
    ]);
    const otherHost = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=***" },
    });
    expect(otherHost.statusCode).toBe(400);
    expect(otherHost.json().details[0].field).toBe("notifyWebhookUrl");
    expect((await storedSettings(t.app, task.id)).notify.WEBHOOK?.notifyWebhookUrl).toBe(hookUrl());
  });

  it("keeps them out of the audit log", async () => {
    const audit = await t.app.inject({ method: "GET", url: `/api/audit?taskId=${task.id}&pageSize=100` });
    expect(audit.json().items.length).toBeGreaterThanOrEqual(4);
    for (const secret of [API_KEY, BEARER, ROBOT, "new-one"]) expect(audit.body).not.toContain(secret);
  });
});

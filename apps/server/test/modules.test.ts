import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, runNow, startTestApp, storedSettings, type TestApp, taskCount, waitForRun } from "./helpers.ts";
import { echoMode } from "./modules/echo-mode.ts";
import { memoChannel } from "./modules/memo-channel.ts";

// Issue 16: a task mode and a notification channel are one module each. ECHO and MEMO live in one
// file each (test/modules/) and are handed to buildApp; nothing else in the app is told about
// them, yet they are validated, stored, run, notified, masked and rendered like the built-ins.

describe.each(["sqlite", "mysql"] as const)("a toy mode and a toy channel on %s", (provider) => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true }, { modes: [echoMode], channels: [memoChannel] });
    dir = mkdtempSync(join(tmpdir(), "crondeck-memo-"));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const echoTask = (changes: Record<string, unknown> = {}) => ({
    name: `echo-${Math.random().toString(36).slice(2, 8)}`,
    mode: "ECHO",
    cron: "0 0 1 1 *",
    echoText: "hello 回声",
    echoTimes: 2,
    ...changes,
  });
  const post = (payload: object) => t.app.inject({ method: "POST", url: "/api/tasks", payload });

  it("publishes their fields: in the OpenAPI document and, for the form, in both languages", async () => {
    const meta = (await t.app.inject({ method: "GET", url: "/api/meta" })).json();
    const echo = meta.modes.find((m: { name: string }) => m.name === "ECHO");
    expect(echo.label).toEqual({ en: "Echo", zh: "回声" });
    expect(echo.fields.map((f: { name: string }) => f.name)).toEqual(["echoText", "echoTimes", "echoToken"]);
    expect(meta.channels.map((c: { name: string }) => c.name)).toEqual(["EMAIL", "WEBHOOK", "MEMO"]);

    const doc = (await t.app.inject({ method: "GET", url: "/docs/json" })).json();
    const create = doc.paths["/api/tasks"].post.requestBody.content["application/json"].schema;
    expect(create.properties.mode.enum).toEqual(["SHELL", "HTTP", "ECHO"]);
    expect(create.properties).toHaveProperty("echoText");
    expect(create.properties).toHaveProperty("memoFile");
  });

  it("refuses bad input naming the field, and stores nothing", async () => {
    const before = await taskCount(t.app);
    const blank = await post(echoTask({ echoText: "  " }));
    expect(blank.statusCode).toBe(400);
    expect(blank.json().details).toContainEqual(expect.objectContaining({ field: "echoText", code: "BLANK" }));
    const range = await post(echoTask({ echoTimes: 9 }));
    expect(range.statusCode).toBe(400);
    expect(range.json().details[0].field).toBe("echoTimes");
    // A field of another mode, and a channel's own required field.
    const foreign = await post(echoTask({ httpMethod: "GET", notifyPolicy: "ON_END", notifyChannel: "MEMO" }));
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: "httpMethod",
          code: "ALLOWED_ONLY_WHEN",
          params: { field: "mode", value: "HTTP" },
        }),
        expect.objectContaining({ field: "memoFile", code: "REQUIRED_WHEN" }),
      ]),
    );
    const relative = await post(echoTask({ notifyPolicy: "ON_END", notifyChannel: "MEMO", memoFile: "memo.txt" }));
    expect(relative.json().details[0]).toMatchObject({ field: "memoFile", code: "INVALID" });
    expect(await taskCount(t.app)).toBe(before);
  });

  it("stores, runs, notifies and masks them", async () => {
    const memo = join(dir, `${provider}.log`);
    const created = await post(
      echoTask({
        name: "toy",
        echoToken: "TOKEN-never-shown",
        notifyPolicy: "ON_END",
        notifyChannel: "MEMO",
        memoFile: memo,
        memoKey: "KEY-never-shown",
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const task = created.json();
    expect(task).toMatchObject({
      mode: "ECHO",
      echoText: "hello 回声",
      echoTimes: 2,
      echoTokenSet: true,
      memoKeySet: true,
    });
    expect(created.body).not.toContain("never-shown");
    // Fields of the built-in modes read as their empty values on an ECHO task.
    expect(task).toMatchObject({ command: "", httpMethod: null, httpHeaders: {} });
    const stored = await storedSettings(t.app, task.id);
    expect(stored.mode).toEqual({ echoText: "hello 回声", echoTimes: 2, echoToken: "TOKEN-never-shown" });
    expect(stored.notify.MEMO).toEqual({ memoFile: memo, memoKey: "KEY-never-shown" });
    // The task list searches what the mode says to.
    const found = await t.app.inject({ method: "GET", url: "/api/tasks?q=%E5%9B%9E%E5%A3%B0" });
    expect(found.json().items.map((i: { id: number }) => i.id)).toEqual([task.id]);

    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run).toMatchObject({ status: "SUCCEEDED", exitCode: 0, output: "hello 回声\nhello 回声\n" });
    const line = await eventually(async () => {
      try {
        return readFileSync(memo, "utf8") || undefined;
      } catch {
        return undefined;
      }
    });
    expect(line).toBe(`toy SUCCEEDED run=${run.id} signed=yes\n`);
    const detail = await eventually(async () => {
      const res = (await t.app.inject({ method: "GET", url: `/api/runs/${run.id}` })).json();
      return res.notifications.length > 0 ? res : undefined;
    });
    expect(detail.notifications[0]).toMatchObject({ channel: "MEMO", ok: true, target: memo });

    // An edit that leaves the write-only fields out keeps them; PATCH merges the stored task.
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { echoText: "fail now" },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await storedSettings(t.app, task.id)).mode.echoToken).toBe("TOKEN-never-shown");
    const failed = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(failed).toMatchObject({ status: "FAILED", error: "the text asked to fail" });
  });

  it("scrubs a channel's declared secrets from a failed delivery", async () => {
    const created = await post(
      echoTask({
        notifyPolicy: "ON_END",
        notifyChannel: "MEMO",
        memoFile: join(dir, "missing-dir", "memo.log"),
        memoKey: "KEY-leaky-secret",
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const run = await waitForRun(t.app, await runNow(t.app, created.json().id));
    const detail = await eventually(async () => {
      const res = (await t.app.inject({ method: "GET", url: `/api/runs/${run.id}` })).json();
      return res.notifications.length > 0 ? res : undefined;
    });
    expect(detail.notifications[0]).toMatchObject({ channel: "MEMO", ok: false });
    expect(detail.notifications[0].error).toContain("ENOENT");
    expect(detail.notifications[0].error).not.toContain("KEY-leaky-secret");
  });
});

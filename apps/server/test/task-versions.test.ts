import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, roleHeaders, shellTask, startTestApp, storedSettings, type TestApp } from "./helpers.ts";

// A task's edit history (TaskVersion): versions written with every change, what each changed,
// revert; on both databases, through the API.

const providers = await testProviders();

const SIGNING = "signing-secret-77ab-SECRET";
const SIGNING_2 = "signing-secret-second-91fe-SECRET";
const ROBOT = "robot-token-5c2d-SECRET";
const BEARER = "Bearer header-token-0a1b-SECRET";
const SECRETS = [SIGNING, SIGNING_2, ROBOT, BEARER];
// Far from now, so no task here fires during the test.
const YEARLY = "0 0 1 1 *";

type Summary = {
  version: number;
  action: string;
  actor: { name: string; via: string | null };
  changedFields: string[];
};

describe.each(providers)("task versions on %s", (provider) => {
  let t: TestApp;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(provider);
    viewer = await roleHeaders(t.app, "viewer");
    operator = await roleHeaders(t.app, "operator");
  });
  afterAll(async () => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: "GET", url, headers });
  const versions = async (id: number, query = "") => {
    const res = await get(`/api/tasks/${id}/versions${query}`);
    expect(res.statusCode, res.body).toBe(200);
    expectNoSecret(res.body);
    return res.json() as { items: Summary[]; total: number; page: number; pageSize: number };
  };
  const diff = async (id: number, version: number, query = "") => {
    const res = await get(`/api/tasks/${id}/versions/${version}/diff${query}`);
    expect(res.statusCode, res.body).toBe(200);
    expectNoSecret(res.body);
    return res.json() as Array<{ field: string; before?: unknown; after?: unknown; secret?: boolean }>;
  };
  const revert = (id: number, version: number, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: `/api/tasks/${id}/versions/${version}/revert`, headers });
  const patch = async (id: number, payload: object, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  function expectNoSecret(body: string) {
    for (const secret of SECRETS) expect(body).not.toContain(secret);
  }

  async function webhookTask(name: string) {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: {
        name,
        mode: "HTTP",
        httpMethod: "POST",
        cron: YEARLY,
        command: "https://example.test/hook",
        httpHeaders: { Authorization: BEARER },
        notifyPolicy: "ON_FAILURE",
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${ROBOT}`,
        notifyWebhookSecret: SIGNING,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; name: string };
  }

  it("records a version for create, patch, put, enable toggles and bulk, newest first, each with who and what changed", async () => {
    const task = await createTask(t.app, { name: "history-basic", cron: YEARLY, retryCount: 1 });
    await patch(task.id, { cron: "0 5 * * *", remark: "moved" });
    const put = await t.app.inject({
      method: "PUT",
      url: `/api/tasks/${task.id}`,
      payload: { name: "history-basic", mode: "SHELL", cron: "0 5 * * *", command: "echo replaced" },
    });
    expect(put.statusCode, put.body).toBe(200);
    await patch(task.id, { enabled: false }, operator);
    // The same again changes nothing, so no version.
    await patch(task.id, { enabled: false }, operator);
    const bulk = await t.app.inject({
      method: "POST",
      url: "/api/tasks/bulk",
      payload: { action: "enable", ids: [task.id] },
    });
    expect(bulk.statusCode).toBe(200);

    const page = await versions(task.id);
    expect(page.total).toBe(5);
    expect(page.items.map((v) => [v.version, v.action])).toEqual([
      [5, "bulk"],
      [4, "update"],
      [3, "update"],
      [2, "update"],
      [1, "create"],
    ]);
    expect(page.items[0]?.changedFields).toEqual(["enabled"]);
    expect(page.items[1]).toMatchObject({ changedFields: ["enabled"], actor: { name: "test-operator", via: "token" } });
    expect(page.items[2]?.changedFields.sort()).toEqual(["command", "remark", "retryCount"]);
    expect(page.items[3]?.changedFields.sort()).toEqual(["cron", "remark"]);
    expect(page.items[4]).toMatchObject({ changedFields: [], actor: { name: "test-admin" } });

    // Pages: the last item of a page still says what it changed.
    const second = await versions(task.id, "?page=2&pageSize=2");
    expect(second.items.map((v) => v.version)).toEqual([3, 2]);
    expect(second.items[1]?.changedFields.sort()).toEqual(["cron", "remark"]);

    const v2 = await diff(task.id, 2);
    expect(v2).toEqual(
      expect.arrayContaining([
        { field: "cron", before: YEARLY, after: "0 5 * * *" },
        { field: "remark", before: "", after: "moved" },
      ]),
    );
    expect(v2).toHaveLength(2);
    // Against any other version: from version 1 to 3.
    const v3 = await diff(task.id, 3, "?against=1");
    expect(v3.map((c) => c.field).sort()).toEqual(["command", "cron", "retryCount"]);
    expect(await diff(task.id, 1)).toEqual([]);

    const at2 = await get(`/api/tasks/${task.id}/versions/2`, viewer);
    expect(at2.statusCode, at2.body).toBe(200);
    expect(at2.json()).toMatchObject({
      id: task.id,
      cron: "0 5 * * *",
      remark: "moved",
      retryCount: 1,
      command: "echo hi",
    });
  });

  it("numbers concurrent edits of one task without a gap or a clash, each with its own version", async () => {
    const task = await createTask(t.app, { name: "history-concurrent", cron: YEARLY });
    const edits = Array.from({ length: 6 }, (_, i) =>
      t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { remark: `edit ${i}` } }),
    );
    const answers = await Promise.all(edits);
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
    const page = await versions(task.id);
    expect(page.items.map((v) => v.version)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    // The newest version is the state the task was left in.
    const latest = await get(`/api/tasks/${task.id}/versions/7`);
    const stored = await get(`/api/tasks/${task.id}`);
    expect(latest.json().remark).toBe(stored.json().remark);

    // Creates and edits of different tasks at once: none waits for ever or fails on another's history.
    const made = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.app.inject({
          method: "POST",
          url: "/api/tasks",
          payload: { ...shellTask({ cron: YEARLY }), name: `history-many-${i}` },
        }),
      ),
    );
    expect(made.map((a) => a.statusCode)).toEqual(made.map(() => 201));
    const ids = made.map((a) => a.json().id as number);
    const edited = await Promise.all(
      ids.map((id) => t.app.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload: { remark: "together" } })),
    );
    expect(edited.map((a) => a.statusCode)).toEqual(edited.map(() => 200));
    for (const id of ids) expect((await versions(id)).items.map((v) => v.action)).toEqual(["update", "create"]);
  });

  it("records tasks-as-code apply as import and a copy from its own version 1", async () => {
    const task = await createTask(t.app, { name: "history-code", cron: YEARLY });
    const yaml = `version: 1\ntasks:\n  history-code: {"mode": "SHELL", "cron": "${YEARLY}", "command": "echo from file"}\n  history-new: {"mode": "SHELL", "cron": "${YEARLY}", "command": "echo new"}\n`;
    const planned = await t.app.inject({ method: "POST", url: "/api/tasks/plan", payload: { yaml } });
    expect(planned.statusCode, planned.body).toBe(200);
    const applied = await t.app.inject({
      method: "POST",
      url: "/api/tasks/apply",
      payload: { yaml, fingerprint: planned.json().fingerprint },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    const items = (await versions(task.id)).items;
    expect(items.map((v) => [v.version, v.action, v.changedFields])).toEqual([
      [2, "import", ["command"]],
      [1, "create", []],
    ]);
    const created = await t.app.database.db.task.findFirstOrThrow({ where: { name: "history-new" } });
    expect((await versions(created.id)).items.map((v) => [v.version, v.action])).toEqual([[1, "import"]]);

    const copy = await t.app.inject({ method: "POST", url: `/api/tasks/${task.id}/copy` });
    expect(copy.statusCode, copy.body).toBe(201);
    const copied = await versions(copy.json().id);
    expect(copied.items.map((v) => [v.version, v.action])).toEqual([[1, "create"]]);
  });

  it("never shows a secret: a write-only one is changed without values, masked ones masked", async () => {
    const task = await webhookTask("history-secret");
    await patch(task.id, { notifyWebhookSecret: SIGNING_2, remark: "new secret" });
    const changes = await diff(task.id, 2);
    expect(changes).toEqual(
      expect.arrayContaining([
        { field: "notifyWebhookSecret", secret: true },
        { field: "remark", before: "", after: "new secret" },
      ]),
    );
    expect(changes.find((c) => c.field === "notifyWebhookSecret")).not.toHaveProperty("before");
    const v1 = await get(`/api/tasks/${task.id}/versions/1`);
    expect(v1.statusCode).toBe(200);
    expectNoSecret(v1.body);
    expect(v1.json()).toMatchObject({ notifyWebhookSecretSet: true });
    expect(v1.json()).not.toHaveProperty("notifyWebhookSecret");
    // The headers' credential changed: listed, with masked values only.
    await patch(task.id, { httpHeaders: { Authorization: `${BEARER}-2` } });
    const headers = await diff(task.id, 3);
    expect(headers.map((c) => c.field)).toEqual(["httpHeaders"]);
    expectNoSecret(JSON.stringify(await versions(task.id)));
  });

  it("reverts: the fields (secrets included) come back as a new version, audited; the same state again is a no-op", async () => {
    const task = await webhookTask("history-revert");
    await patch(task.id, { notifyWebhookSecret: SIGNING_2, cron: "0 6 * * *", retryCount: 4, enabled: false });
    const res = await revert(task.id, 1);
    expect(res.statusCode, res.body).toBe(200);
    expectNoSecret(res.body);
    expect(res.json()).toMatchObject({ version: 3, task: { cron: YEARLY, retryCount: 0, enabled: true } });
    const stored = await storedSettings(t.app, task.id);
    expect(stored.notify.WEBHOOK?.notifyWebhookSecret).toBe(SIGNING);
    expect(stored.row.nextRunAtMs).not.toBeNull();
    const items = (await versions(task.id)).items;
    expect(items[0]).toMatchObject({ version: 3, action: "revert" });
    expect(items[0]?.changedFields).toEqual(
      expect.arrayContaining(["cron", "retryCount", "enabled", "notifyWebhookSecret"]),
    );
    const audit = await t.app.database.db.auditEntry.findFirstOrThrow({
      where: { taskId: task.id },
      orderBy: { id: "desc" },
    });
    expect(audit.action).toBe("task.update");
    expect(audit.after).toContain('"revertedToVersion":1');
    expect(`${audit.before}${audit.after}`).not.toContain(SIGNING);

    // Already so: nothing written, no version, no audit entry.
    const again = await revert(task.id, 3);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().version).toBeNull();
    expect((await versions(task.id)).total).toBe(3);
    const same = await revert(task.id, 1);
    expect(same.json().version).toBeNull();
    expect(await t.app.database.db.auditEntry.count({ where: { taskId: task.id, id: { gt: audit.id } } })).toBe(0);
  });

  it("refuses a revert to a name another task took with 409, and unknown tasks and versions with 404", async () => {
    const task = await createTask(t.app, { name: "history-name-a", cron: YEARLY });
    await patch(task.id, { name: "history-name-b" });
    await createTask(t.app, { name: "HISTORY-name-a", cron: YEARLY });
    const res = await revert(task.id, 1);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe("NAME_TAKEN");
    expect((await versions(task.id)).total).toBe(2);
    expect((await t.app.database.db.task.findUniqueOrThrow({ where: { id: task.id } })).name).toBe("history-name-b");

    for (const url of [
      `/api/tasks/${task.id}/versions/9`,
      `/api/tasks/${task.id}/versions/9/diff`,
      `/api/tasks/${task.id}/versions/2/diff?against=9`,
      "/api/tasks/999999/versions",
      "/api/tasks/999999/versions/1",
    ]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
    expect((await revert(task.id, 9)).statusCode).toBe(404);
    expect((await revert(999999, 1)).statusCode).toBe(404);
  });

  it("lets viewers read the history but only admins revert", async () => {
    const task = await createTask(t.app, { name: "history-roles", cron: YEARLY });
    await patch(task.id, { remark: "x" });
    expect((await get(`/api/tasks/${task.id}/versions`, viewer)).statusCode).toBe(200);
    expect((await get(`/api/tasks/${task.id}/versions/1/diff`, viewer)).statusCode).toBe(200);
    expect((await revert(task.id, 1, viewer)).statusCode).toBe(403);
    expect((await revert(task.id, 1, operator)).statusCode).toBe(403);
  });

  it("gives a task stored before the history a baseline version at its first change; deleting a task deletes its versions", async () => {
    const task = await createTask(t.app, { name: "history-old", cron: YEARLY });
    // As a task written before the history existed (or by plain SQL): no version.
    await t.app.database.db.taskVersion.deleteMany({ where: { taskId: task.id } });
    await patch(task.id, { remark: "first change" });
    const items = (await versions(task.id)).items;
    expect(items.map((v) => [v.version, v.action, v.actor.name, v.changedFields])).toEqual([
      [2, "update", "test-admin", ["remark"]],
      [1, "create", "system", []],
    ]);

    expect((await t.app.inject({ method: "DELETE", url: `/api/tasks/${task.id}` })).statusCode).toBe(204);
    expect(await t.app.database.db.taskVersion.count({ where: { taskId: task.id } })).toBe(0);
  });
});

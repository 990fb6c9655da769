import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, roleHeaders, startTestApp, storedSettings, type TestApp, waitForRun } from "./helpers.ts";

// Copying a task and acting on a selection of tasks (issue 15), on both databases. The scheduler
// runs here so "the engine was told" is visible as the set of armed tasks.

const providers = await testProviders();

const BEARER = "Bearer copy-tok-91ce-SECRET";
const SIGNING = "signing-secret-3e7a-SECRET";
const ROBOT = "robot-0d4f-SECRET";
// Far from now, so no task here fires during the test.
const YEARLY = "0 0 1 1 *";

describe.each(providers)("copy and bulk actions on %s", (provider) => {
  let t: TestApp;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(provider, { scheduler: true });
    operator = await roleHeaders(t.app, "operator");
    viewer = await roleHeaders(t.app, "viewer");
  });
  afterAll(async () => t?.close());

  const copy = (id: number | string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: `/api/tasks/${id}/copy`, headers });
  const bulk = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/api/tasks/bulk", payload: payload as object, headers });
  const row = (id: number) => t.app.database.db.task.findUnique({ where: { id } });
  const auditOf = (taskId: number) =>
    t.app.database.db.auditEntry.findMany({ where: { taskId }, orderBy: { id: "asc" } });
  const armed = () => t.app.engine.load.armed;

  describe("POST /api/tasks/:id/copy", () => {
    it("creates a disabled copy with the secrets copied server-side and never returned, audited as a create", async () => {
      const source = await t.app.inject({
        method: "POST",
        url: "/api/tasks",
        payload: {
          name: "Report Hook",
          mode: "HTTP",
          httpMethod: "POST",
          cron: YEARLY,
          timezone: "Asia/Shanghai",
          command: "https://example.test/report",
          httpHeaders: { Authorization: BEARER, Accept: "text/plain" },
          httpBody: '{"a":1}',
          retryCount: 2,
          notifyPolicy: "ON_FAILURE",
          notifyChannel: "WEBHOOK",
          notifyWebhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${ROBOT}`,
          notifyWebhookSecret: SIGNING,
          remark: "the original",
        },
      });
      expect(source.statusCode).toBe(201);
      const original = source.json();
      const armedBefore = armed();

      const res = await copy(original.id);
      expect(res.statusCode).toBe(201);
      const made = res.json();
      for (const secret of [BEARER, SIGNING, ROBOT]) expect(res.body).not.toContain(secret);
      const { id, name, enabled, nextRunAt, createdAt, updatedAt, ...rest } = made;
      const { id: _i, name: _n, enabled: _e, nextRunAt: _r, createdAt: _c, updatedAt: _u, ...sourceRest } = original;
      expect(id).not.toBe(original.id);
      expect(name).toBe("Report Hook (copy)");
      expect(enabled).toBe(false);
      expect(nextRunAt).toBeNull();
      expect(rest).toEqual(sourceRest);
      expect(made.notifyWebhookSecretSet).toBe(true);
      expect(made.httpHeaders).toEqual({ Authorization: "***", Accept: "text/plain" });

      // The stored copy holds the real values, so it runs and notifies like the original.
      const [a, b] = [await storedSettings(t.app, original.id), await storedSettings(t.app, id)];
      expect(b.mode).toEqual(a.mode);
      expect((b.mode.httpHeaders as Record<string, string>).Authorization).toBe(BEARER);
      expect(b.notify.WEBHOOK?.notifyWebhookSecret).toBe(SIGNING);
      expect(b.notify).toEqual(a.notify);
      // Disabled, so the scheduler did not arm it.
      expect(armed()).toBe(armedBefore);

      const entries = await auditOf(id);
      expect(entries.map((e) => e.action)).toEqual(["task.create"]);
      expect(JSON.parse(entries[0]?.after ?? "{}")).toMatchObject({
        name: "Report Hook (copy)",
        copiedFromTaskId: original.id,
      });
      for (const secret of [BEARER, SIGNING, ROBOT]) expect(entries[0]?.after).not.toContain(secret);

      const got = await t.app.inject({ method: "GET", url: `/api/tasks/${id}` });
      expect(got.json()).toEqual(made);
    });

    it("numbers further copies, treating names that differ only in ASCII case as taken", async () => {
      const { id } = await createTask(t.app, { name: "nightly", cron: YEARLY });
      await createTask(t.app, { name: "NIGHTLY (COPY)", cron: YEARLY });
      const names: string[] = [];
      for (let i = 0; i < 3; i++) names.push((await copy(id)).json().name);
      expect(names).toEqual(["nightly (copy 2)", "nightly (copy 3)", "nightly (copy 4)"]);
    });

    it("shortens a long name so the copy's name fits 64 characters", async () => {
      const long = `${"x".repeat(62)}😀`; // 64 UTF-16 units, ending in a surrogate pair
      const { id } = await createTask(t.app, { name: long, cron: YEARLY });
      const first = (await copy(id)).json();
      expect(first.name).toBe(`${"x".repeat(57)} (copy)`);
      const second = (await copy(id)).json();
      expect(second.name).toBe(`${"x".repeat(55)} (copy 2)`);
      // Cutting 62 x's + emoji at 57 never leaves half an emoji; check one that would.
      const { id: emoji } = await createTask(t.app, { name: `${"y".repeat(56)}😀zzzzzz`, cron: YEARLY });
      expect((await copy(emoji)).json().name).toBe(`${"y".repeat(56)} (copy)`);
    });

    it("answers 404 for an unknown task, 400 naming id for a bad one, 403 below admin; stores nothing", async () => {
      const before = await t.app.database.db.task.count();
      const missing = await copy(999_999);
      expect(missing.statusCode).toBe(404);
      const bad = await copy("abc");
      expect(bad.statusCode).toBe(400);
      expect(bad.json().details?.[0]?.field).toBe("id");
      const { id } = await createTask(t.app, { cron: YEARLY });
      expect((await copy(id, operator)).statusCode).toBe(403);
      expect((await copy(id, viewer)).statusCode).toBe(403);
      expect(await t.app.database.db.task.count()).toBe(before + 1);
    });
  });

  describe("POST /api/tasks/bulk", () => {
    it("disables and enables a selection, reports unknown ids, tells the engine and audits each change", async () => {
      const a = await createTask(t.app, { cron: YEARLY });
      const b = await createTask(t.app, { cron: YEARLY });
      const armedBefore = armed();

      const off = await bulk({ action: "disable", ids: [a.id, 999_998, b.id, a.id] }, operator);
      expect(off.statusCode).toBe(200);
      expect(off.json()).toEqual({
        action: "disable",
        results: [
          { id: a.id, ok: true },
          { id: 999_998, ok: false, code: "NOT_FOUND", error: "task 999998 does not exist" },
          { id: b.id, ok: true },
        ],
      });
      expect((await row(a.id))?.enabled).toBe(false);
      expect((await row(b.id))?.enabled).toBe(false);
      expect(armed()).toBe(armedBefore - 2);
      const listed = (await t.app.inject({ method: "GET", url: `/api/tasks/${a.id}` })).json();
      expect(listed.nextRunAt).toBeNull();

      // Disabling again changes nothing, so nothing more is audited.
      expect((await bulk({ action: "disable", ids: [a.id] }, operator)).json().results).toEqual([
        { id: a.id, ok: true },
      ]);

      const on = await bulk({ action: "enable", ids: [a.id, b.id] }, operator);
      expect(on.json().results).toEqual([
        { id: a.id, ok: true },
        { id: b.id, ok: true },
      ]);
      expect((await row(a.id))?.enabled).toBe(true);
      expect(armed()).toBe(armedBefore);
      for (const id of [a.id, b.id]) {
        expect((await auditOf(id)).map((e) => e.action)).toEqual(["task.create", "task.disable", "task.enable"]);
      }
    });

    it("runs each task now and returns the run ids", async () => {
      const a = await createTask(t.app, { cron: YEARLY, command: "echo bulk-a" });
      const b = await createTask(t.app, { cron: YEARLY, command: "echo bulk-b", enabled: false });
      const res = await bulk({ action: "run", ids: [a.id, b.id] }, operator);
      expect(res.statusCode).toBe(200);
      const results = res.json().results as Array<{ id: number; ok: boolean; runId: number }>;
      expect(results.map((r) => [r.id, r.ok])).toEqual([
        [a.id, true],
        [b.id, true],
      ]);
      for (const [i, id] of [a.id, b.id].entries()) {
        const run = await waitForRun(t.app, results[i]?.runId as number);
        expect(run).toMatchObject({ taskId: id, trigger: "MANUAL", status: "SUCCEEDED" });
        expect(run.output).toContain(i === 0 ? "bulk-a" : "bulk-b");
        expect((await auditOf(id)).map((e) => e.action)).toEqual(["task.create", "task.run"]);
      }
    });

    it("deletes for an admin only; an operator's delete is refused whole", async () => {
      const a = await createTask(t.app, { cron: YEARLY });
      const b = await createTask(t.app, { cron: YEARLY });
      const refused = await bulk({ action: "delete", ids: [a.id, b.id] }, operator);
      expect(refused.statusCode).toBe(403);
      expect(await row(a.id)).not.toBeNull();
      expect((await bulk({ action: "disable", ids: [a.id] }, viewer)).statusCode).toBe(403);
      expect((await row(a.id))?.enabled).toBe(true);

      const armedBefore = armed();
      const res = await bulk({ action: "delete", ids: [a.id, b.id, 999_997] });
      expect(res.json().results).toEqual([
        { id: a.id, ok: true },
        { id: b.id, ok: true },
        { id: 999_997, ok: false, code: "NOT_FOUND", error: "task 999997 does not exist" },
      ]);
      expect(await row(a.id)).toBeNull();
      expect(await row(b.id)).toBeNull();
      expect(armed()).toBe(armedBefore - 2);
      expect((await auditOf(a.id)).map((e) => e.action)).toEqual(["task.create", "task.delete"]);
    });

    it("refuses bad input with 400 naming the field, and changes nothing", async () => {
      const a = await createTask(t.app, { cron: YEARLY });
      const cases: Array<[unknown, string]> = [
        [{ action: "explode", ids: [a.id] }, "action"],
        [{ action: "disable", ids: [] }, "ids"],
        [{ action: "disable", ids: Array.from({ length: 501 }, (_, i) => i + 1) }, "ids"],
        [{ action: "disable", ids: [a.id, "x"] }, "ids[1]"],
        [{ action: "disable", ids: [0] }, "ids[0]"],
        [{ action: "disable" }, "ids"],
        [{ action: "disable", ids: [a.id], extra: true }, "extra"],
      ];
      for (const [payload, field] of cases) {
        const res = await bulk(payload);
        expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
        expect(res.json().details?.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect((await row(a.id))?.enabled).toBe(true);
      expect((await auditOf(a.id)).map((e) => e.action)).toEqual(["task.create"]);
    });

    it("accepts 500 ids", async () => {
      const a = await createTask(t.app, { cron: YEARLY });
      const ids = [a.id, ...Array.from({ length: 499 }, (_, i) => 1_000_000 + i)];
      const res = await bulk({ action: "disable", ids });
      expect(res.statusCode).toBe(200);
      expect(res.json().results).toHaveLength(500);
      expect(res.json().results[0]).toEqual({ id: a.id, ok: true });
    });
  });
});

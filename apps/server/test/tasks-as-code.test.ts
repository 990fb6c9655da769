import { readFile } from "node:fs/promises";
import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTask, roleHeaders, startTestApp, type TestApp } from "./helpers.ts";

// Tasks as code (issue 15): export → plan → apply through the API, on both databases.

const providers = await testProviders();

const BEARER = "Bearer as-code-77f1-SECRET";
const SIGNING = "signing-as-code-51aa-SECRET";
const ROBOT = "robot-as-code-9b2c-SECRET";
// Far from now, so nothing fires during the test.
const YEARLY = "0 0 1 1 *";

type Plan = {
  fingerprint: string;
  prune: boolean;
  summary: Record<"create" | "update" | "delete" | "unchanged", number>;
  items: Array<{
    name: string;
    action: string;
    id: number | null;
    changes: Array<{ field: string; before: unknown; after: unknown }>;
  }>;
};

describe.each(providers)("tasks as code on %s", (provider) => {
  let t: TestApp;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(provider);
    viewer = await roleHeaders(t.app, "viewer");
    operator = await roleHeaders(t.app, "operator");
  });
  afterAll(async () => t?.close());

  const exportYaml = async (app = t.app, query = "", headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: "GET", url: `/api/tasks/export${query}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toContain("application/yaml");
    return res.body;
  };
  const plan = async (yaml: string, prune = false, app = t.app, headers: Record<string, string> = {}) =>
    app.inject({ method: "POST", url: "/api/tasks/plan", payload: { yaml, prune }, headers });
  const okPlan = async (yaml: string, prune = false, app = t.app) => {
    const res = await plan(yaml, prune, app);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Plan;
  };
  const apply = (yaml: string, fingerprint: string, prune = false, app = t.app, headers: Record<string, string> = {}) =>
    app.inject({ method: "POST", url: "/api/tasks/apply", payload: { yaml, prune, fingerprint }, headers });
  const clear = async (app = t.app) => {
    await app.database.db.task.deleteMany();
  };

  it("round-trips: export → apply on an empty database → export gives the same bytes; a second apply changes nothing", async () => {
    await clear();
    await createTask(t.app, {
      name: "Nightly Backup 备份",
      cron: "0 3 * * *",
      timezone: "Asia/Shanghai",
      command: "set -e\necho 'start: \"quoted\" #not a comment'\n/opt/backup.sh --full\n",
      retryCount: 2,
      notifyPolicy: "ON_FAILURE",
      notifyChannel: "EMAIL",
      notifyEmails: "ops@example.com，dev@example.com",
      remark: "kept: yes",
    });
    await createTask(t.app, { name: "123", cron: YEARLY, command: "true", enabled: false });
    await createTask(t.app, { name: "no", cron: YEARLY, command: "false", executorGroup: "batch" });
    await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: {
        name: "ping",
        mode: "HTTP",
        httpMethod: "POST",
        cron: "*/30 * * * * *",
        command: "https://example.test/hook",
        httpHeaders: { "Content-Type": "application/json", Accept: "*/*" },
        httpBody: '{"ping":true}',
        notifyPolicy: "ON_KEYWORD",
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: "https://example.test/notify",
        notifyKeywords: ["ERROR", "致命"],
        enabled: false,
      },
    });
    const first = await exportYaml();
    const doc = parse(first);
    expect(doc.version).toBe(1);
    expect(Object.keys(doc.tasks)).toEqual(["123", "Nightly Backup 备份", "no", "ping"]);
    expect(doc.tasks.no.executorGroup).toBe("batch");
    expect(doc.tasks["Nightly Backup 备份"].notifyEmails).toEqual(["ops@example.com", "dev@example.com"]);
    expect(doc.tasks.ping).not.toHaveProperty("remark");
    expect(doc.tasks.ping).not.toHaveProperty("id");

    const other = await startTestApp(provider);
    try {
      const planned = await okPlan(first, false, other.app);
      expect(planned.summary).toEqual({ create: 4, update: 0, delete: 0, unchanged: 0 });
      const applied = await apply(first, planned.fingerprint, false, other.app);
      expect(applied.statusCode, applied.body).toBe(200);
      expect(await exportYaml(other.app)).toBe(first);

      const again = await okPlan(first, false, other.app);
      expect(again.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 4 });
      const before = await other.app.database.db.task.findMany({ orderBy: { id: "asc" } });
      const second = await apply(first, again.fingerprint, false, other.app);
      expect(second.statusCode, second.body).toBe(200);
      expect(await other.app.database.db.task.findMany({ orderBy: { id: "asc" } })).toEqual(before);
      expect(await exportYaml(other.app)).toBe(first);
    } finally {
      await other.close();
    }
  });

  it("plans a field-level diff and applies it; prune alone deletes, and it is audited", async () => {
    await clear();
    const keep = await createTask(t.app, { name: "keep", cron: YEARLY });
    const change = await createTask(t.app, { name: "change", cron: YEARLY, retryCount: 1 });
    const extra = await createTask(t.app, { name: "extra", cron: YEARLY });
    const doc = parse(await exportYaml());
    delete doc.tasks.extra;
    doc.tasks.change.cron = "0 5 * * *";
    doc.tasks.change.retryCount = 3;
    doc.tasks.fresh = { mode: "SHELL", cron: YEARLY, command: "echo fresh", enabled: false };
    const yaml = `version: 1\ntasks:\n${Object.entries(doc.tasks)
      .map(([name, fields]) => `  ${name}: ${JSON.stringify(fields)}`)
      .join("\n")}\n`;

    const planned = await okPlan(yaml);
    expect(planned.summary).toEqual({ create: 1, update: 1, delete: 0, unchanged: 1 });
    expect(planned.items.find((i) => i.name === "change")).toEqual({
      name: "change",
      action: "update",
      id: change.id,
      changes: [
        { field: "cron", before: YEARLY, after: "0 5 * * *" },
        { field: "retryCount", before: 1, after: 3 },
      ],
    });
    expect(planned.items.find((i) => i.name === "keep")).toMatchObject({ action: "unchanged", id: keep.id });

    const pruning = await okPlan(yaml, true);
    expect(pruning.summary).toEqual({ create: 1, update: 1, delete: 1, unchanged: 1 });
    expect(pruning.items.at(-1)).toEqual({ name: "extra", action: "delete", id: extra.id, changes: [] });
    expect(pruning.fingerprint).not.toBe(planned.fingerprint);

    // Without prune nothing is deleted.
    const res = await apply(yaml, planned.fingerprint);
    expect(res.statusCode, res.body).toBe(200);
    const names = async () => (await t.app.database.db.task.findMany()).map((r) => r.name).sort();
    expect(await names()).toEqual(["change", "extra", "fresh", "keep"]);
    expect(await t.app.database.db.task.findUnique({ where: { id: change.id } })).toMatchObject({
      cron: "0 5 * * *",
      retryCount: 3,
    });

    const prune = await okPlan(yaml, true);
    expect(prune.summary).toEqual({ create: 0, update: 0, delete: 1, unchanged: 3 });
    expect((await apply(yaml, prune.fingerprint, true)).statusCode).toBe(200);
    expect(await names()).toEqual(["change", "fresh", "keep"]);
    expect((await okPlan(yaml, true)).summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 3 });

    const audit = await t.app.database.db.auditEntry.findMany({ orderBy: { id: "asc" } });
    const actions = audit.map((a) => a.action);
    expect(actions).toContain("tasks.apply");
    expect(audit.find((a) => a.action === "task.delete" && a.taskId === extra.id)).toBeDefined();
    expect(audit.find((a) => a.action === "task.update" && a.taskId === change.id)?.after).toContain("0 5 * * *");
  });

  it("refuses a plan that went stale with 409 PLAN_STALE and writes nothing", async () => {
    await clear();
    const task = await createTask(t.app, { name: "stale", cron: YEARLY });
    const yaml = (await exportYaml()).replace(YEARLY, "0 1 * * *");
    const planned = await okPlan(yaml);
    expect(planned.summary.update).toBe(1);
    const edited = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { remark: "meanwhile" },
    });
    expect(edited.statusCode).toBe(200);
    const res = await apply(yaml, planned.fingerprint);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("PLAN_STALE");
    expect((await t.app.database.db.task.findUnique({ where: { id: task.id } }))?.cron).toBe(YEARLY);

    // A task created meanwhile under a name the file creates makes a plan stale too.
    const fresh = "version: 1\ntasks:\n  newcomer: {mode: SHELL, cron: '0 0 1 1 *', command: 'true'}\n";
    const before = await okPlan(fresh);
    await createTask(t.app, { name: "newcomer", cron: YEARLY, command: "true" });
    expect((await apply(fresh, before.fingerprint)).statusCode).toBe(409);
  });

  it("checks every task before writing: a bad task is a 400 naming it and the field, and nothing is stored", async () => {
    await clear();
    const yaml = `version: 1
tasks:
  good: {mode: SHELL, cron: "0 0 1 1 *", command: "true"}
  bad cron: {mode: SHELL, cron: "99 * * * *", command: "true"}
  bad type: {mode: SHELL, cron: "0 0 1 1 *", command: "true", retryCount: "three", colour: red}
  http without method: {mode: HTTP, cron: "0 0 1 1 *", command: "https://example.test"}
`;
    const res = await plan(yaml);
    expect(res.statusCode).toBe(400);
    const details = res.json().details as Array<{ field: string; code: string; params: { task: string } }>;
    const fields = details.map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "tasks.bad cron.cron",
        "tasks.bad type.retryCount",
        "tasks.bad type.colour",
        "tasks.http without method.httpMethod",
      ]),
    );
    expect(details.find((d) => d.field === "tasks.bad cron.cron")).toMatchObject({
      code: "CRON",
      params: { task: "bad cron" },
    });
    expect(res.json().message).toContain("tasks.bad cron.cron: is not a valid cron expression");
    const applied = await apply(yaml, "0".repeat(64));
    expect(applied.statusCode).toBe(400);
    expect(await t.app.database.db.task.count()).toBe(0);

    for (const [text, field] of [
      ["version: 1\ntasks:\n  a: {mode: SHELL}\n  a: {mode: SHELL}\n", "yaml"],
      ["version: 1\ntasks: [1, 2]\n", "tasks"],
      ["version: 2\ntasks: {}\n", "version"],
      [
        "version: 1\ntasks:\n  Same: {mode: SHELL, cron: '@daily', command: 'true'}\n  same: {mode: SHELL, cron: '@daily', command: 'true'}\n",
        "tasks.same.name",
      ],
      ["version: 1\ntasks:\n  x: {name: y, mode: SHELL, cron: '@daily', command: 'true'}\n", "tasks.x.name"],
      ["just text", "yaml"],
      [
        `version: 1\nx0: &a [1,1,1,1,1,1,1,1,1,1]\n${Array.from(
          { length: 8 },
          (_, i) =>
            `x${i + 1}: &${"b".repeat(i + 1)} [${Array(10)
              .fill(i === 0 ? "*a" : `*${"b".repeat(i)}`)
              .join(",")}]`,
        ).join("\n")}\ntasks: {}\n`,
        "yaml",
      ],
    ] as const) {
      const bad = await plan(text);
      expect(bad.statusCode, text).toBe(400);
      expect(
        bad.json().details.map((d: { field: string }) => d.field),
        text,
      ).toContain(field);
    }
  });

  it("never exports a secret; masked values and a left-out secret keep what is stored; a new task needs the values", async () => {
    await clear();
    const created = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: {
        name: "hook",
        mode: "HTTP",
        httpMethod: "GET",
        cron: YEARLY,
        command: "https://example.test/report",
        httpHeaders: { Authorization: BEARER, Accept: "text/plain" },
        notifyPolicy: "ON_FAILURE",
        notifyChannel: "WEBHOOK",
        notifyWebhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${ROBOT}`,
        notifyWebhookSecret: SIGNING,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const yaml = await exportYaml(t.app, "", viewer);
    for (const secret of [BEARER, SIGNING, ROBOT]) expect(yaml).not.toContain(secret);
    const doc = parse(yaml);
    expect(doc.tasks.hook.httpHeaders).toEqual({ Authorization: "***", Accept: "text/plain" });
    expect(doc.tasks.hook).not.toHaveProperty("notifyWebhookSecret");

    const same = await okPlan(yaml);
    expect(same.summary.unchanged).toBe(1);
    const stored = await t.app.database.db.task.findFirstOrThrow({ where: { name: "hook" } });
    expect(JSON.parse(stored.notifySettings).WEBHOOK.notifyWebhookSecret).toBe(SIGNING);

    // A new secret value is a change, shown masked.
    const rotated = yaml
      .replace("Authorization: '***'", "Authorization: Bearer rotated-SECRET")
      .replace('Authorization: "***"', "Authorization: Bearer rotated-SECRET");
    expect(rotated).not.toBe(yaml);
    const rotatePlan = await okPlan(rotated);
    expect(rotatePlan.items[0]?.changes).toEqual([
      {
        field: "httpHeaders",
        before: { Authorization: "***", Accept: "text/plain" },
        after: { Authorization: "***", Accept: "text/plain" },
      },
    ]);
    expect(JSON.stringify(rotatePlan)).not.toContain("rotated-SECRET");

    // Under another name it is a new task: *** cannot be completed.
    const copy = yaml.replace("  hook:", "  hook2:");
    const res = await plan(copy);
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "tasks.hook2.httpHeaders.Authorization", code: "MASKED_HEADER" }),
      ]),
    );
  });

  it("applies all or nothing: a write the database refuses half-way rolls back the writes before it", async () => {
    await clear();
    const before = await createTask(t.app, { name: "before", cron: YEARLY });
    const { db } = t.app.database;
    // A fault only the database knows of: inserting the task named "boom" fails.
    if (provider === "sqlite") {
      await db.$executeRawUnsafe(
        "CREATE TRIGGER boom BEFORE INSERT ON `Task` WHEN NEW.`name` = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END",
      );
    } else {
      await db.$executeRawUnsafe(
        "CREATE TRIGGER boom BEFORE INSERT ON `Task` FOR EACH ROW BEGIN IF NEW.`name` = 'boom' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom refused'; END IF; END",
      );
    }
    try {
      const yaml = `version: 1
tasks:
  before: {mode: SHELL, cron: "0 2 * * *", command: "echo hi"}
  first: {mode: SHELL, cron: "@daily", command: "true"}
  boom: {mode: SHELL, cron: "@daily", command: "true"}
`;
      const planned = await okPlan(yaml, true);
      expect(planned.summary).toEqual({ create: 2, update: 1, delete: 0, unchanged: 0 });
      const audited = await db.auditEntry.count();
      const res = await apply(yaml, planned.fingerprint, true);
      expect(res.statusCode).toBe(500);
      const rows = await db.task.findMany();
      expect(rows.map((r) => r.name)).toEqual(["before"]);
      expect(rows[0]?.cron).toBe(YEARLY);
      expect(rows[0]?.id).toBe(before.id);
      expect(await db.auditEntry.count()).toBe(audited);
    } finally {
      await db.$executeRawUnsafe("DROP TRIGGER boom");
    }
  });

  it("reads the README's example file: the masked header of a new task is refused, the real value is taken", async () => {
    await clear();
    const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    const example = readme.match(/```yaml\n(# Crondeck tasks[\s\S]*?)```/)?.[1];
    expect(example).toBeDefined();
    const masked = await plan(example as string);
    expect(masked.statusCode).toBe(400);
    expect(masked.json().details).toEqual([
      expect.objectContaining({ field: "tasks.report hook.httpHeaders.Authorization", code: "MASKED_HEADER" }),
    ]);
    const real = (example as string).replace('"***"', '"Bearer real-value"');
    const planned = await okPlan(real);
    expect(planned.summary).toEqual({ create: 2, update: 0, delete: 0, unchanged: 0 });
    expect((await apply(real, planned.fingerprint)).statusCode).toBe(200);
    expect((await okPlan(real)).summary.unchanged).toBe(2);
  });

  it("exports a selection by id, and follows the task roles: viewers export and plan, only admins apply", async () => {
    await clear();
    const a = await createTask(t.app, { name: "a", cron: YEARLY });
    await createTask(t.app, { name: "b", cron: YEARLY });
    const c = await createTask(t.app, { name: "c", cron: YEARLY });
    expect(Object.keys(parse(await exportYaml(t.app, `?ids=${c.id},${a.id}`)).tasks)).toEqual(["a", "c"]);
    const missing = await t.app.inject({ method: "GET", url: `/api/tasks/export?ids=${a.id},999999` });
    expect(missing.statusCode).toBe(404);
    expect((await t.app.inject({ method: "GET", url: "/api/tasks/export?ids=1,x" })).statusCode).toBe(400);

    const yaml = (await exportYaml()).replace("  b:", "  b2:");
    const viewerPlan = await plan(yaml, false, t.app, viewer);
    expect(viewerPlan.statusCode).toBe(200);
    const fingerprint = viewerPlan.json().fingerprint as string;
    for (const headers of [viewer, operator]) {
      const res = await apply(yaml, fingerprint, false, t.app, headers);
      expect(res.statusCode).toBe(403);
    }
    expect(
      (await t.app.inject({ method: "GET", url: "/api/tasks/export", headers: { authorization: "" } })).statusCode,
    ).toBe(401);
    expect(await t.app.database.db.task.count()).toBe(3);
    expect((await apply(yaml, fingerprint)).statusCode).toBe(200);
    expect(await t.app.database.db.task.count()).toBe(4);
  });

  it("exports dependencies by name; apply resolves names of tasks the same file creates; the plan shows changes and refuses a cycle", async () => {
    await clear();
    const file = `version: 1
tasks:
  extract:
    mode: SHELL
    cron: ${YEARLY}
    command: "true"
  load:
    mode: SHELL
    cron: ${YEARLY}
    command: "true"
    dependsOn:
      - task: extract
      - task: Report
        on: END
    dependsOnAll: true
  report:
    mode: SHELL
    cron: ${YEARLY}
    command: "true"
    dependsOn:
      - {task: extract, on: FAILURE}
`;
    const planned = await okPlan(file);
    expect(planned.summary).toEqual({ create: 3, update: 0, delete: 0, unchanged: 0 });
    expect((await apply(file, planned.fingerprint)).statusCode).toBe(200);
    const db = t.app.database.db;
    const byName = new Map((await db.task.findMany()).map((row) => [row.name, row]));
    const load = byName.get("load");
    const got = await t.app.inject({ method: "GET", url: `/api/tasks/${load?.id}` });
    expect(got.json()).toMatchObject({
      dependsOnAll: true,
      dependsOn: expect.arrayContaining([
        { taskId: byName.get("extract")?.id, on: "SUCCESS" },
        { taskId: byName.get("report")?.id, on: "END" },
      ]),
    });
    const exported = parse(await exportYaml());
    expect(exported.tasks.load.dependsOn).toEqual([
      { task: "extract", on: "SUCCESS" },
      { task: "report", on: "END" },
    ]);
    expect(exported.tasks.load.dependsOnAll).toBe(true);
    expect(exported.tasks.extract).not.toHaveProperty("dependsOn");
    expect(exported.tasks.extract).not.toHaveProperty("dependsOnAll");
    expect((await okPlan(await exportYaml())).summary.unchanged).toBe(3);

    // A change of upstreams is planned as a change of the field, by name.
    const changed = file.replace("      - {task: extract, on: FAILURE}\n", "      - {task: extract, on: END}\n");
    const plan2 = await okPlan(changed);
    expect(plan2.items.find((i) => i.name === "report")).toMatchObject({
      action: "update",
      changes: [
        { field: "dependsOn", before: [{ task: "extract", on: "FAILURE" }], after: [{ task: "extract", on: "END" }] },
      ],
    });
    expect((await apply(changed, plan2.fingerprint)).statusCode).toBe(200);
    expect(await db.taskDependency.findFirst({ where: { taskId: byName.get("report")?.id } })).toMatchObject({
      on: "END",
    });

    // extract → load → extract (and extract → report → load → extract)
    const cyclic = changed.replace(
      'command: "true"\n  load:',
      'command: "true"\n    dependsOn: [{task: load}]\n  load:',
    );
    expect(cyclic).not.toBe(changed);
    const refused = await plan(cyclic);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().details).toEqual([
      expect.objectContaining({
        code: "DEPENDENCY_CYCLE",
        params: expect.objectContaining({ path: expect.stringMatching(/^(\w+) → .* → \1$/) }),
      }),
    ]);
    const unknown = await plan(file.replace("task: Report", "task: nobody"));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details).toEqual([
      expect.objectContaining({ field: "tasks.load.dependsOn[1].task", code: "UNKNOWN_TASK" }),
    ]);
    expect(await db.taskDependency.count()).toBe(3);
  });
});

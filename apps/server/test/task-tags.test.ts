import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTask, roleHeaders, shellTask, startTestApp, type TestApp } from "./helpers.ts";

// Tags and an owner on tasks: stored, checked, filtered and searched by the database, counted for
// the dashboard's filter, carried by copies, bulk actions and tasks-as-code files, on both databases.

const providers = await testProviders();

// Far from now, so nothing fires during the test.
const YEARLY = "0 0 1 1 *";

type TaskJson = { id: number; name: string; tags: string[]; owner: string; searchText?: never };

describe.each(providers)("task tags and owner on %s", (provider) => {
  let t: TestApp;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(provider);
    viewer = await roleHeaders(t.app, "viewer");
    operator = await roleHeaders(t.app, "operator");
  });
  afterAll(async () => t?.close());

  const db = () => t.app.database.db;
  const clear = () => db().task.deleteMany();
  const create = async (changes: Record<string, unknown>) =>
    (await createTask(t.app, { cron: YEARLY, ...changes })) as unknown as TaskJson;
  const list = async (query: string, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: "GET", url: `/api/tasks?pageSize=100&${query}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: TaskJson[]; total: number };
    expect(page.total).toBe(page.items.length);
    return page.items.map((task) => task.name).sort();
  };
  const tagRows = async () =>
    (await db().taskTag.findMany({ orderBy: [{ taskId: "asc" }, { tagKey: "asc" }] })).map(
      (r) => `${r.taskId}:${r.tagKey}:${r.tag}`,
    );

  it("stores tags (trimmed, case kept, repeats ignoring case dropped, in order) and the owner; PATCH and PUT change them", async () => {
    await clear();
    const made = await create({
      name: "tagged",
      tags: [" Prod ", "db/backup", "prod", "团队:运维", "v1.2_x-y"],
      owner: "  Team Ops  ",
    });
    expect(made.tags).toEqual(["Prod", "db/backup", "团队:运维", "v1.2_x-y"]);
    expect(made.owner).toBe("Team Ops");
    expect(await tagRows()).toEqual([
      `${made.id}:db/backup:db/backup`,
      `${made.id}:prod:Prod`,
      `${made.id}:v1.2_x-y:v1.2_x-y`,
      `${made.id}:团队:运维:团队:运维`,
    ]);
    const got = (await t.app.inject({ method: "GET", url: `/api/tasks/${made.id}` })).json();
    expect(got.tags).toEqual(made.tags);
    expect(got.owner).toBe("Team Ops");

    // PATCH of the tags only keeps the rest; of something else keeps the tags.
    let res = await t.app.inject({ method: "PATCH", url: `/api/tasks/${made.id}`, payload: { tags: ["nightly"] } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().tags).toEqual(["nightly"]);
    expect(res.json().owner).toBe("Team Ops");
    expect(await tagRows()).toEqual([`${made.id}:nightly:nightly`]);
    res = await t.app.inject({ method: "PATCH", url: `/api/tasks/${made.id}`, payload: { remark: "x" } });
    expect(res.json().tags).toEqual(["nightly"]);
    res = await t.app.inject({ method: "PATCH", url: `/api/tasks/${made.id}`, payload: { enabled: false } });
    expect(res.json().tags).toEqual(["nightly"]);
    expect(await tagRows()).toEqual([`${made.id}:nightly:nightly`]);

    // PUT replaces: left out, tags and owner take their defaults.
    res = await t.app.inject({
      method: "PUT",
      url: `/api/tasks/${made.id}`,
      payload: shellTask({ name: "tagged", cron: YEARLY }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().tags).toEqual([]);
    expect(res.json().owner).toBe("");
    expect(await tagRows()).toEqual([]);

    // A task created without them has none.
    const plain = await create({ name: "plain" });
    expect(plain.tags).toEqual([]);
    expect(plain.owner).toBe("");

    // Deleting a task deletes its tag rows.
    await t.app.inject({ method: "PATCH", url: `/api/tasks/${plain.id}`, payload: { tags: ["gone"] } });
    expect(await tagRows()).toEqual([`${plain.id}:gone:gone`]);
    expect((await t.app.inject({ method: "DELETE", url: `/api/tasks/${plain.id}` })).statusCode).toBe(204);
    expect(await tagRows()).toEqual([]);
  });

  it("refuses bad tags and owners with 400 naming the field, and stores nothing", async () => {
    await clear();
    const before = await create({ name: "keep", tags: ["a"], owner: "me" });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ tags: ["ok", "fine", "has space"] }, "tags[2]", "PATTERN"],
      [{ tags: ["a,b"] }, "tags[0]", "PATTERN"],
      [{ tags: ["   "] }, "tags[0]", "MIN_LENGTH"],
      [{ tags: ["x".repeat(33)] }, "tags[0]", "MAX_LENGTH"],
      [{ tags: ["emoji😀"] }, "tags[0]", "PATTERN"],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "tags", "MAX_ITEMS"],
      [{ tags: "a,b" }, "tags", "TYPE"],
      [{ tags: [1] }, "tags[0]", "TYPE"],
      [{ owner: "o".repeat(65) }, "owner", "MAX_LENGTH"],
      [{ owner: "bad\nowner" }, "owner", "CONTROL_CHARS"],
    ];
    for (const [change, field, code] of cases) {
      for (const [method, url, payload] of [
        ["POST", "/api/tasks", shellTask({ name: "new one", cron: YEARLY, ...change })],
        ["PATCH", `/api/tasks/${before.id}`, change],
        ["PUT", `/api/tasks/${before.id}`, shellTask({ name: "keep", cron: YEARLY, ...change })],
      ] as const) {
        const res = await t.app.inject({ method, url, payload });
        expect(res.statusCode, `${method} ${JSON.stringify(change)}`).toBe(400);
        const details = res.json().details as Array<{ field: string; code: string }>;
        expect(details, `${method} ${JSON.stringify(change)}`).toContainEqual(expect.objectContaining({ field, code }));
      }
    }
    // 32 characters and 20 distinct tags are fine (21 given, one a repeat).
    const fits = await create({
      name: "fits",
      tags: [...Array.from({ length: 20 }, (_, i) => `t${i}`), "T0", "x".repeat(32)].slice(0, 21),
      owner: "o".repeat(64),
    });
    expect(fits.tags).toHaveLength(20);
    await t.app.inject({ method: "DELETE", url: `/api/tasks/${fits.id}` });
    // Nothing stored.
    expect((await db().task.findMany()).map((r) => r.name)).toEqual(["keep"]);
    const kept = (await t.app.inject({ method: "GET", url: `/api/tasks/${before.id}` })).json();
    expect(kept.tags).toEqual(["a"]);
    expect(kept.owner).toBe("me");
    expect(await tagRows()).toEqual([`${before.id}:a:a`]);
  });

  it("filters the list by one tag, by every one of several tags (ignoring case), by owner, and searches tags and owner", async () => {
    await clear();
    await create({ name: "alpha", tags: ["prod", "db"], owner: "alice" });
    await create({ name: "beta", tags: ["Prod"], owner: "bob" });
    await create({ name: "gamma", tags: ["staging", "db"], owner: "alice" });
    await create({ name: "delta", tags: ["数据库"], owner: "运维组" });
    await create({ name: "under_score", tags: [] });

    expect(await list("tag=prod")).toEqual(["alpha", "beta"]);
    expect(await list("tag=PROD")).toEqual(["alpha", "beta"]);
    expect(await list("tag=prod&tag=db")).toEqual(["alpha"]);
    expect(await list("tag=db&tag=DB")).toEqual(["alpha", "gamma"]);
    expect(await list("tag=db&tag=nope")).toEqual([]);
    expect(await list(`tag=${encodeURIComponent("数据库")}`)).toEqual(["delta"]);
    expect(await list("owner=alice")).toEqual(["alpha", "gamma"]);
    expect(await list("owner=Alice")).toEqual([]);
    expect(await list(`owner=${encodeURIComponent("运维组")}`)).toEqual(["delta"]);
    expect(await list("owner=")).toHaveLength(5);
    expect(await list("owner=alice&tag=db&mode=SHELL")).toEqual(["alpha", "gamma"]);
    expect(await list("owner=alice&tag=prod")).toEqual(["alpha"]);
    // Paging and counting work with the filters.
    const page = (await t.app.inject({ method: "GET", url: "/api/tasks?tag=db&pageSize=1&sort=name" })).json();
    expect(page.total).toBe(2);
    expect(page.items.map((i: TaskJson) => i.name)).toEqual(["alpha"]);

    // q matches tags and owner (folding A-Z), and still treats _ and % literally.
    expect(await list("q=STAGING")).toEqual(["gamma"]);
    expect(await list("q=bo")).toEqual(["beta"]);
    expect(await list("q=staging")).toEqual(["gamma"]);
    expect(await list(`q=${encodeURIComponent("数据")}`)).toEqual(["delta"]);
    expect(await list(`q=${encodeURIComponent("运维组")}`)).toEqual(["delta"]);
    expect(await list("q=_")).toEqual(["under_score"]);
    expect(await list("q=%25")).toEqual([]);

    // Too many filter tags, or one too long, is a 400 naming the parameter.
    const bad = await t.app.inject({ method: "GET", url: `/api/tasks?tag=${"x".repeat(65)}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toMatch(/^tag/);

    // Viewers may filter.
    expect(await list("tag=prod", viewer)).toEqual(["alpha", "beta"]);
  });

  it("lists the tags in use with their counts, sorted by tag, for viewers", async () => {
    await clear();
    await create({ name: "a", tags: ["prod", "db", "Zeta"] });
    await create({ name: "b", tags: ["Prod", "api"] });
    await create({ name: "c", tags: ["db", "数据库"] });
    const res = await t.app.inject({ method: "GET", url: "/api/tags", headers: viewer });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual([
      { tag: "api", count: 1 },
      { tag: "db", count: 2 },
      { tag: "Prod", count: 2 },
      { tag: "Zeta", count: 1 },
      { tag: "数据库", count: 1 },
    ]);
    const anonymous = await t.app.inject({ method: "GET", url: "/api/tags", headers: { authorization: "" } });
    expect(anonymous.statusCode).toBe(401);
    await clear();
    expect((await t.app.inject({ method: "GET", url: "/api/tags" })).json()).toEqual([]);
  });

  it("copies tags and owner; bulk addTag and removeTag tag a selection (admin), checked before anything changes", async () => {
    await clear();
    const a = await create({ name: "one", tags: ["x"], owner: "ops" });
    const b = await create({ name: "two", tags: Array.from({ length: 20 }, (_, i) => `t${i}`) });
    const c = await create({ name: "three", tags: ["Shared"] });

    const copied = await t.app.inject({ method: "POST", url: `/api/tasks/${a.id}/copy` });
    expect(copied.statusCode).toBe(201);
    expect(copied.json().tags).toEqual(["x"]);
    expect(copied.json().owner).toBe("ops");
    expect(await list("tag=x")).toEqual(["one", "one (copy)"]);
    await t.app.inject({ method: "DELETE", url: `/api/tasks/${copied.json().id}` });

    const bulk = (payload: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({ method: "POST", url: "/api/tasks/bulk", payload: payload as object, headers });
    let res = await bulk({ action: "addTag", tag: " shared ", ids: [a.id, b.id, c.id, 999_999] });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as Array<{ id: number; ok: boolean; code?: string }>;
    expect(results.map((r) => [r.id, r.ok, r.code])).toEqual([
      [a.id, true, undefined],
      [b.id, false, "VALIDATION_FAILED"],
      [c.id, true, undefined],
      [999_999, false, "NOT_FOUND"],
    ]);
    expect(await list("tag=shared")).toEqual(["one", "three"]);
    const one = (await t.app.inject({ method: "GET", url: `/api/tasks/${a.id}` })).json();
    expect(one.tags).toEqual(["x", "shared"]);
    // Already tagged (ignoring case): nothing written or audited.
    const three = (await t.app.inject({ method: "GET", url: `/api/tasks/${c.id}` })).json();
    expect(three.tags).toEqual(["Shared"]);
    const audits = await db().auditEntry.findMany({ where: { taskId: a.id, action: "task.update" } });
    expect(audits).toHaveLength(1);
    expect(await db().auditEntry.count({ where: { taskId: c.id, action: "task.update" } })).toBe(0);

    res = await bulk({ action: "removeTag", tag: "SHARED", ids: [a.id, c.id] });
    expect(res.json().results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    expect(await list("tag=shared")).toEqual([]);

    // Bad input: nothing changes.
    for (const [payload, field, code] of [
      [{ action: "addTag", ids: [a.id] }, "tag", "REQUIRED_WHEN"],
      [{ action: "addTag", tag: "a b", ids: [a.id] }, "tag", "PATTERN"],
      [{ action: "removeTag", tag: "", ids: [a.id] }, "tag", "MIN_LENGTH"],
      [{ action: "enable", tag: "a", ids: [a.id] }, "tag", "ALLOWED_ONLY_WHEN"],
    ] as const) {
      res = await bulk(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().details).toContainEqual(expect.objectContaining({ field, code }));
    }
    // An operator may not edit tags.
    res = await bulk({ action: "addTag", tag: "ops", ids: [a.id] }, operator);
    expect(res.statusCode).toBe(403);
    expect((await t.app.inject({ method: "GET", url: `/api/tasks/${a.id}` })).json().tags).toEqual(["x"]);
  });

  it("exports and applies tags and owner (round trip identical), and exports by tag", async () => {
    await clear();
    await create({ name: "web", tags: ["Prod", "团队:web"], owner: "web team" });
    await create({ name: "db", tags: ["prod", "db"] });
    await create({ name: "none" });
    const exportYaml = async (query = "") => {
      const res = await t.app.inject({ method: "GET", url: `/api/tasks/export${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.body;
    };
    const yaml = await exportYaml();
    const file = parse(yaml) as { tasks: Record<string, { tags?: string[]; owner?: string }> };
    expect(file.tasks.web?.tags).toEqual(["Prod", "团队:web"]);
    expect(file.tasks.web?.owner).toBe("web team");
    expect(file.tasks.db?.tags).toEqual(["prod", "db"]);
    expect(file.tasks.none).not.toHaveProperty("tags");
    expect(file.tasks.none).not.toHaveProperty("owner");

    // Only the tasks with every tag given.
    expect(Object.keys((parse(await exportYaml("?tag=PROD")) as typeof file).tasks)).toEqual(["db", "web"]);
    expect(Object.keys((parse(await exportYaml("?tag=prod&tag=db")) as typeof file).tasks)).toEqual(["db"]);
    const ids = (await db().task.findMany({ orderBy: { id: "asc" } })).map((r) => r.id);
    expect(Object.keys((parse(await exportYaml(`?ids=${ids[0]},${ids[2]}&tag=prod`)) as typeof file).tasks)).toEqual([
      "web",
    ]);

    // Unchanged against the stored tasks.
    const plan = async (text: string) => {
      const res = await t.app.inject({ method: "POST", url: "/api/tasks/plan", payload: { yaml: text } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as {
        fingerprint: string;
        summary: Record<string, number>;
        items: Array<{ changes: unknown[] }>;
      };
    };
    expect((await plan(yaml)).summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 3 });

    // Applied to an empty database, then exported again: the same bytes, and the tags filter.
    await clear();
    const first = await plan(yaml);
    expect(first.summary.create).toBe(3);
    const applied = await t.app.inject({
      method: "POST",
      url: "/api/tasks/apply",
      payload: { yaml, fingerprint: first.fingerprint },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(await exportYaml()).toBe(yaml);
    expect(await list("tag=prod")).toEqual(["db", "web"]);
    expect(await list("owner=web%20team")).toEqual(["web"]);

    // A change of tags is planned as one field and applied.
    const changed = yaml.replace("- db\n", "- nightly\n");
    expect(changed).not.toBe(yaml);
    const second = await plan(changed);
    expect(second.summary.update).toBe(1);
    expect(second.items.flatMap((i) => i.changes)).toEqual([
      { field: "tags", before: ["prod", "db"], after: ["prod", "nightly"] },
    ]);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/tasks/apply",
      payload: { yaml: changed, fingerprint: second.fingerprint },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await list("tag=nightly")).toEqual(["db"]);
    expect(await list("tag=db")).toEqual([]);

    // A bad tag in a file fails the plan naming the task and the field.
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/tasks/plan",
      payload: { yaml: changed.replace("- nightly\n", "- night ly\n") },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toContainEqual(expect.objectContaining({ field: "tasks.db.tags[1]", code: "PATTERN" }));
  });
});

import { taskNameKey, taskSearchText } from "@crondeck/db";
import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, shellTask, startTestApp, type TestApp } from "./helpers.ts";

const providers = await testProviders();

describe.each(providers)("task API on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  const post = (payload: unknown) => t.app.inject({ method: "POST", url: "/api/tasks", payload: payload as object });

  it("creates a SHELL task with defaults and returns it", async () => {
    const res = await post({
      name: "  nightly backup  ",
      mode: "SHELL",
      cron: "0 3 * * *",
      command: "tar czf /tmp/x.tgz /etc",
    });
    expect(res.statusCode).toBe(201);
    const task = res.json();
    expect(task).toMatchObject({
      name: "nightly backup",
      mode: "SHELL",
      httpMethod: null,
      timezone: "UTC",
      executorGroup: "default",
      timeoutSeconds: 60,
      retryCount: 0,
      retryIntervalSeconds: 60,
      concurrencyPolicy: "FORBID",
      misfirePolicy: "SKIP",
      misfireGraceSeconds: 3600,
      notifyPolicy: "NONE",
      notifyEmails: [],
      notifyKeywords: [],
      notifyLanguage: null,
      enabled: true,
      remark: "",
      notifyWebhookSecretSet: false,
    });
    expect(new Date(task.nextRunAt).getUTCHours()).toBe(3);
    const got = await t.app.inject({ method: "GET", url: `/api/tasks/${task.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(task);
  });

  it("creates an HTTP POST task with headers, body, zone, lists given as one line, and a write-only secret", async () => {
    const res = await post({
      name: "ping api",
      mode: "HTTP",
      httpMethod: "POST",
      command: "https://example.test/hook?x=1",
      httpHeaders: { "Content-Type": "application/json", "X-Token": "abc" },
      httpBody: '{"hello":"世界"}',
      cron: "*/10 * * * * *",
      timezone: "Asia/Shanghai",
      notifyPolicy: "ON_KEYWORD",
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=t",
      notifyWebhookSecret: "SECxyz",
      notifyKeywords: "ERROR， panic ,,  timeout",
      notifyEmails: "ops@example.com，dev@example.com, boss@example.com",
    });
    expect(res.statusCode).toBe(201);
    const task = res.json();
    // A credential header is write-only: shown masked (task-credentials.test.ts).
    expect(task.httpHeaders).toEqual({ "Content-Type": "application/json", "X-Token": "***" });
    expect(task.notifyKeywords).toEqual(["ERROR", "panic", "timeout"]);
    expect(task.notifyEmails).toEqual(["ops@example.com", "dev@example.com", "boss@example.com"]);
    expect(task.notifyWebhookFormat).toBe("DINGTALK");
    expect(task.notifyWebhookSecretSet).toBe(true);
    expect(JSON.stringify(task)).not.toContain("SECxyz");
    // Omitting the secret on PATCH keeps it; null clears it.
    const kept = await t.app.inject({ method: "PATCH", url: `/api/tasks/${task.id}`, payload: { remark: "r" } });
    expect(kept.json().notifyWebhookSecretSet).toBe(true);
    const cleared = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${task.id}`,
      payload: { notifyWebhookSecret: null },
    });
    expect(cleared.json().notifyWebhookSecretSet).toBe(false);
  });

  it("replaces a task with PUT and changes some fields with PATCH", async () => {
    const created = (await post(shellTask({ name: "to-edit", retryCount: 3, remark: "old" }))).json();
    const put = await t.app.inject({
      method: "PUT",
      url: `/api/tasks/${created.id}`,
      payload: { name: "edited", mode: "HTTP", httpMethod: "GET", cron: "@hourly", command: "http://127.0.0.1:9/x" },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      id: created.id,
      name: "edited",
      mode: "HTTP",
      httpMethod: "GET",
      retryCount: 0,
      remark: "",
      cron: "@hourly",
    });
    const patch = await t.app.inject({ method: "PATCH", url: `/api/tasks/${created.id}`, payload: { enabled: false } });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ enabled: false, nextRunAt: null, name: "edited" });
    const again = await t.app.inject({ method: "PATCH", url: `/api/tasks/${created.id}`, payload: { enabled: true } });
    expect(again.json().nextRunAt).not.toBeNull();
    expect(new Date(again.json().updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
  });

  it("deletes a task: 204, then 404", async () => {
    const created = (await post(shellTask())).json();
    const del = await t.app.inject({ method: "DELETE", url: `/api/tasks/${created.id}` });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe("");
    expect((await t.app.inject({ method: "GET", url: `/api/tasks/${created.id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "DELETE", url: `/api/tasks/${created.id}` })).statusCode).toBe(404);
  });

  it("answers 404 for unknown ids on every task route", async () => {
    for (const [method, url, payload] of [
      ["GET", "/api/tasks/999999", undefined],
      ["PUT", "/api/tasks/999999", shellTask()],
      ["PATCH", "/api/tasks/999999", { enabled: false }],
      ["DELETE", "/api/tasks/999999", undefined],
    ] as const) {
      const res = await t.app.inject({ method, url, payload });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ statusCode: 404, error: "Not Found", code: "NOT_FOUND" });
    }
  });

  it("refuses a duplicate name with 409 (case-insensitive), on create and on rename", async () => {
    await post(shellTask({ name: "Unique Name" }));
    const dup = await post(shellTask({ name: "unique name" }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: "NAME_TAKEN", details: [{ field: "name" }] });
    const other = (await post(shellTask())).json();
    const rename = await t.app.inject({
      method: "PATCH",
      url: `/api/tasks/${other.id}`,
      payload: { name: "Unique Name" },
    });
    expect(rename.statusCode).toBe(409);
  });

  it("stores SQL and HTML verbatim and returns them as JSON strings", async () => {
    const nasty = `'; DROP TABLE Task; -- <script>alert("x")</script>`;
    const res = await post(
      shellTask({ name: `x'); DROP TABLE Task;--`, command: nasty, remark: "<img src=x onerror=alert(1)>" }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.headers["content-type"]).toContain("application/json");
    const got = (await t.app.inject({ method: "GET", url: `/api/tasks/${res.json().id}` })).json();
    expect(got.command).toBe(nasty);
    expect(got.remark).toBe("<img src=x onerror=alert(1)>");
    expect(got.name).toBe(`x'); DROP TABLE Task;--`);
  });
});

describe.each(providers)("task list on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
    // 300 tasks: a third HTTP, every fourth disabled, names sortable and searchable.
    const rows = Array.from({ length: 300 }, (_, i) => {
      const http = i % 3 === 0;
      const name = `${http ? "http" : "shell"}-${String(i).padStart(3, "0")}`;
      return {
        name,
        nameKey: taskNameKey(name),
        mode: http ? "HTTP" : "SHELL",
        modeSettings: JSON.stringify(
          http
            ? { command: "http://127.0.0.1:9/", httpMethod: "GET", httpHeaders: {}, httpBody: null }
            : { command: "true" },
        ),
        cron: `${i % 60} * * * *`,
        timezone: "UTC",
        searchText: taskSearchText({ name, modeText: http ? "http://127.0.0.1:9/" : "true", remark: "" }),
        notifySettings: "{}",
        env: "{}",
        notifyKeywords: "[]",
        enabled: i % 4 !== 0,
      };
    });
    await t.app.database.db.task.createMany({ data: rows });
  });
  afterAll(async () => t?.close());

  const list = async (query: string) => {
    const res = await t.app.inject({ method: "GET", url: `/api/tasks?${query}` });
    expect(res.statusCode, query).toBe(200);
    return res.json() as {
      items: Array<{ id: number; name: string; mode: string; enabled: boolean; nextRunAt: string | null }>;
      total: number;
      page: number;
      pageSize: number;
    };
  };

  it("pages newest first", async () => {
    const first = await list("page=1&pageSize=50");
    expect(first).toMatchObject({ total: 300, page: 1, pageSize: 50 });
    expect(first.items).toHaveLength(50);
    const ids = first.items.map((i) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const last = await list("page=6&pageSize=50");
    expect(last.items).toHaveLength(50);
    expect(new Set([...ids, ...last.items.map((i) => i.id)]).size).toBe(100);
    expect((await list("page=7&pageSize=50")).items).toHaveLength(0);
    expect((await list("")).pageSize).toBe(20);
  });

  it("filters by mode, enabled and name, together", async () => {
    expect((await list("mode=HTTP")).total).toBe(100);
    expect((await list("enabled=false")).total).toBe(75);
    expect((await list("mode=HTTP&enabled=true")).total).toBe(75);
    const search = await list("q=shell-01&pageSize=100");
    expect(search.items.map((i) => i.name).sort()).toEqual(
      ["shell-010", "shell-011", "shell-013", "shell-014", "shell-016", "shell-017", "shell-019"].sort(),
    );
    expect((await list("q=SHELL-010")).total).toBe(1);
  });

  it("sorts by name and by next run", async () => {
    const byName = await list("sort=name&order=asc&pageSize=5");
    expect(byName.items.map((i) => i.name)).toEqual(["http-000", "http-003", "http-006", "http-009", "http-012"]);
    const byNext = await list("sort=nextRunAt&enabled=true&pageSize=200");
    const times = byNext.items.map((i) => new Date(i.nextRunAt as string).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("rejects bad list parameters naming the parameter", async () => {
    for (const [query, field] of [
      ["page=0", "page"],
      ["pageSize=1000", "pageSize"],
      ["mode=FTP", "mode"],
      ["enabled=maybe", "enabled"],
      ["sort=color", "sort"],
    ]) {
      const res = await t.app.inject({ method: "GET", url: `/api/tasks?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().details[0].field, query).toBe(field);
    }
  });
});

describe.each(providers)("task list search and sort, answered by the database, on %s", (provider) => {
  let t: TestApp;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    t = await startTestApp(provider);
    const tasks = [
      { name: "Nightly Backup", command: "tar czf /backup/db.tgz /var/lib/db", remark: "keeps 7 days" },
      { name: "under_score", command: "echo one", remark: "" },
      { name: "discount", command: "echo two", remark: "50% off, see NOTE!" },
      { name: "plain", command: "curl -s http://example.test/a_b", remark: "" },
      { name: "Report", command: "echo three", remark: "备注：每周报表" },
      { name: "disabled one", command: "echo four", remark: "", enabled: false },
      { name: "yearly", command: "echo five", remark: "", cron: "0 0 1 1 *" },
      { name: "minutely", command: "echo six", remark: "", cron: "* * * * *" },
    ];
    for (const task of tasks) {
      const res = await t.app.inject({ method: "POST", url: "/api/tasks", payload: shellTask(task) });
      expect(res.statusCode, res.body).toBe(201);
      ids[task.name] = res.json().id;
    }
  });
  afterAll(async () => t?.close());

  const names = async (query: string) => {
    const res = await t.app.inject({ method: "GET", url: `/api/tasks?${query}` });
    expect(res.statusCode, query).toBe(200);
    const body = res.json() as { items: Array<{ name: string }>; total: number };
    expect(body.total, query).toBeGreaterThanOrEqual(body.items.length);
    return body.items.map((i) => i.name);
  };

  it("searches name, command and remark, folding A-Z only", async () => {
    expect(await names("q=backup")).toEqual(["Nightly Backup"]); // name and command
    expect(await names("q=KEEPS 7")).toEqual(["Nightly Backup"]); // remark
    expect(await names("q=CURL -S")).toEqual(["plain"]); // command
    expect(await names(`q=${encodeURIComponent("每周")}`)).toEqual(["Report"]);
    expect(await names("q=echo&sort=name&order=asc")).toEqual([
      "disabled one",
      "discount",
      "minutely",
      "Report",
      "under_score",
      "yearly",
    ]);
    expect(await names("q=nothing-like-this")).toEqual([]);
  });

  it("treats double quotes as text and folds no letter but A-Z, through SQLite's trigram index too", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      payload: shellTask({ name: "Café Menu", command: `echo 'say "hi" now'`, enabled: false }),
    });
    expect(created.statusCode, created.body).toBe(201);
    try {
      expect(await names(`q=${encodeURIComponent('"hi" now')}`)).toEqual(["Café Menu"]);
      expect(await names(`q=${encodeURIComponent('"')}`)).toEqual(["Café Menu"]);
      expect(await names(`q=${encodeURIComponent("CAFé m")}`)).toEqual(["Café Menu"]);
      expect(await names(`q=${encodeURIComponent("cafÉ")}`)).toEqual([]);
    } finally {
      await t.app.inject({ method: "DELETE", url: `/api/tasks/${created.json().id}` });
    }
    expect(await names(`q=${encodeURIComponent("café")}`)).toEqual([]);
  });

  it("treats % _ and the escape character as themselves", async () => {
    expect((await names("q=_&sort=name&order=asc")).sort()).toEqual(["plain", "under_score"]);
    expect(await names(`q=${encodeURIComponent("%")}`)).toEqual(["discount"]);
    expect(await names(`q=${encodeURIComponent("50%")}`)).toEqual(["discount"]);
    expect(await names(`q=${encodeURIComponent("0% o")}`)).toEqual(["discount"]);
    expect(await names(`q=${encodeURIComponent("%%")}`)).toEqual([]);
    expect(await names(`q=${encodeURIComponent("!")}`)).toEqual(["discount"]);
    expect(await names(`q=${encodeURIComponent("!%")}`)).toEqual([]);
    expect(await names("q=a_b")).toEqual(["plain"]);
    expect(await names("q=x_y")).toEqual([]);
    expect(await names(`q=${encodeURIComponent("\\")}`)).toEqual([]);
  });

  /** Name and next run of each item, in the order listed. */
  const nextRuns = async (query: string) => {
    const res = await t.app.inject({ method: "GET", url: `/api/tasks?${query}` });
    expect(res.statusCode, query).toBe(200);
    return (res.json().items as Array<{ name: string; nextRunAt: string | null }>).map((i) => ({
      name: i.name,
      at: i.nextRunAt === null ? Number.POSITIVE_INFINITY : Date.parse(i.nextRunAt),
    }));
  };

  it("sorts by next run with tasks that will not fire last, and pages through the same order", async () => {
    // By time, not by name: tasks whose next fires coincide (e.g. at a whole hour) tie.
    const asc = await nextRuns("sort=nextRunAt&order=asc&pageSize=100");
    const times = asc.map((i) => i.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(asc.at(-1)?.name).toBe("disabled one");
    const finite = asc.filter((i) => Number.isFinite(i.at));
    expect(finite.at(-1)?.at).toBe(asc.find((i) => i.name === "yearly")?.at);
    expect(asc[0]?.at).toBe(asc.find((i) => i.name === "minutely")?.at);
    const order = asc.map((i) => i.name);
    const desc = (await nextRuns("sort=nextRunAt&order=desc&pageSize=100")).map((i) => i.name);
    expect(desc).toEqual([...order].reverse());
    const paged = [];
    for (let page = 1; page <= 3; page++) {
      paged.push(...(await nextRuns(`sort=nextRunAt&pageSize=3&page=${page}`)).map((i) => i.name));
    }
    expect(paged).toEqual(order);
  });

  it("recomputes a next-run key once its instant has passed, without touching updatedAt", async () => {
    const id = ids.minutely as number;
    const before = await t.app.database.db.task.findUniqueOrThrow({ where: { id } });
    expect(before.nextRunAtMs).not.toBeNull();
    await t.app.database.db.$executeRawUnsafe("UPDATE `Task` SET `nextRunAtMs` = ? WHERE `id` = ?", 1_000, id);
    await t.app.database.db.$executeRawUnsafe("UPDATE `Task` SET `nextRunAtMs` = NULL WHERE `id` = ?", ids.yearly);
    const startedAt = Date.now();
    const [first] = await nextRuns("sort=nextRunAt&pageSize=1");
    const after = await t.app.database.db.task.findUniqueOrThrow({ where: { id } });
    expect(Number(after.nextRunAtMs)).toBeGreaterThan(startedAt);
    expect(first?.at).toBeLessThanOrEqual(Number(after.nextRunAtMs));
    expect(after.updatedAt).toEqual(before.updatedAt);
    const yearly = await t.app.database.db.task.findUniqueOrThrow({ where: { id: ids.yearly as number } });
    expect(new Date(Number(yearly.nextRunAtMs)).toISOString()).toMatch(/-01-01T00:00:00\.000Z$/);
  });

  it("recomputes passed keys in the background too, with no list request", async () => {
    const id = ids.yearly as number;
    await t.app.database.db.$executeRawUnsafe("UPDATE `Task` SET `nextRunAtMs` = ? WHERE `id` = ?", 1_000, id);
    const key = await eventually(
      async () => {
        const row = await t.app.database.db.task.findUniqueOrThrow({ where: { id } });
        return Number(row.nextRunAtMs) > Date.now() ? Number(row.nextRunAtMs) : undefined;
      },
      15_000,
      "the background refresh",
    );
    expect(new Date(key).toISOString()).toMatch(/-01-01T00:00:00\.000Z$/);
  });

  it("keeps the keys current through edits: rename, new schedule, disable", async () => {
    const id = ids.plain as number;
    const patch = (payload: object) => t.app.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload });
    expect((await patch({ remark: "Renamed REMARK" })).statusCode).toBe(200);
    expect(await names("q=renamed remark")).toEqual(["plain"]);
    expect(await names("q=a_b")).toEqual(["plain"]);
    expect((await patch({ cron: "* * * * * *" })).statusCode).toBe(200);
    expect((await names("sort=nextRunAt&pageSize=1"))[0]).toBe("plain");
    expect((await patch({ enabled: false })).statusCode).toBe(200);
    expect((await names("sort=nextRunAt&order=desc&pageSize=2")).sort()).toEqual(["disabled one", "plain"]);
    expect((await patch({ enabled: true, cron: "0 0 1 1 *" })).statusCode).toBe(200);
    const copy = await t.app.inject({ method: "POST", url: `/api/tasks/${id}/copy` });
    expect(copy.statusCode, copy.body).toBe(201);
    expect(await names("q=plain (copy)")).toEqual(["plain (copy)"]);
    expect((await names("sort=nextRunAt&order=desc&pageSize=3")).sort()).toEqual([
      "disabled one",
      "plain (copy)",
      "yearly",
    ]);
  });

  it("sorts by last result and by creation, in SQL", async () => {
    const db = t.app.database.db;
    // Written here rather than run: the task's last result is then recorded as the engine records it.
    const run = async (taskId: number, status: string, at = 0) => {
      const row = await db.run.create({
        data: {
          taskId,
          trigger: "MANUAL",
          scheduledAt: new Date(Date.now() + at),
          status,
          finishedAt: new Date(),
          output: "",
          matchedKeywords: "[]",
        },
      });
      await t.app.engine.store.recordLastResults([row]);
    };
    await run(ids.Report as number, "SUCCEEDED");
    await run(ids.discount as number, "SUCCEEDED");
    await run(ids.discount as number, "FAILED");
    await run(ids.discount as number, "SKIPPED"); // not a result: the FAILED one stays the last result
    await run(ids.under_score as number, "TIMED_OUT");
    const byLast = await names("sort=lastStatus&order=asc&pageSize=100");
    expect(byLast.slice(0, 3)).toEqual(["discount", "Report", "under_score"]);
    const res = await t.app.inject({ method: "GET", url: "/api/tasks?sort=lastStatus&order=asc&pageSize=1" });
    expect(res.json().items[0].lastRun.status).toBe("FAILED");
    const desc = await names("sort=lastStatus&order=desc&pageSize=100");
    expect(desc.slice(-3)).toEqual(["under_score", "Report", "discount"]);
    const byCreation = await names("sort=createdAt&order=asc&pageSize=3");
    expect(byCreation).toEqual(["Nightly Backup", "under_score", "discount"]);
  });

  it("rejects a search longer than 64 characters and an unknown order, naming the parameter", async () => {
    for (const [query, field] of [
      [`q=${"x".repeat(65)}`, "q"],
      ["order=sideways", "order"],
    ]) {
      const res = await t.app.inject({ method: "GET", url: `/api/tasks?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().details[0].field, query).toBe(field);
    }
  });
});

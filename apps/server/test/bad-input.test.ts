import { testProviders } from "@crondeck/db/testing";
import { startHttpTarget } from "@crondeck/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTask,
  runNow,
  shellTask,
  startTestApp,
  storedSettings,
  type TestApp,
  taskCount,
  waitForRun,
} from "./helpers.ts";

// Issue 9.8: input that used to be stored and then broke every run, leaked a secret to viewers or
// collided with an unrelated name on MariaDB.

const providers = await testProviders();

const http = (changes: Record<string, unknown> = {}) =>
  shellTask({ mode: "HTTP", httpMethod: "GET", command: "https://example.test/ping", ...changes });
const webhook = (url: string) => shellTask({ notifyPolicy: "ON_END", notifyChannel: "WEBHOOK", notifyWebhookUrl: url });

/** [what is wrong, body, the field the 400 must name] */
const badInputs: Array<[string, Record<string, unknown>, string]> = [
  ["NUL in the name", shellTask({ name: "back\u0000up" }), "name"],
  ["LF in the name", shellTask({ name: "back\nup" }), "name"],
  ["CR in the name", shellTask({ name: "back\rup" }), "name"],
  ["TAB in the name", shellTask({ name: "back\tup" }), "name"],
  ["ESC (a terminal colour) in the name", shellTask({ name: "\u001b[31mred\u001b[0m" }), "name"],
  ["DEL in the name", shellTask({ name: "back\u007fup" }), "name"],
  ["a C1 control (CSI) in the name", shellTask({ name: "back\u009bup" }), "name"],
  ["a lone surrogate in the name", shellTask({ name: "back\ud800up" }), "name"],
  ["NUL in a SHELL command", shellTask({ command: "echo a\u0000b" }), "command"],
  ["NUL in an HTTP URL", http({ command: "https://example.test/a\u0000b" }), "command"],
  ["a line break inside an HTTP URL", http({ command: "https://exa\nmple.test/" }), "command"],
  ["user and password in an HTTP URL", http({ command: "http://user:secret@example.test/x" }), "command"],
  ["a user name alone in an HTTP URL", http({ command: "https://token@example.test/x" }), "command"],
  ["NUL in a header value", http({ httpHeaders: { "X-A": "a\u0000b" } }), "httpHeaders.X-A"],
  ["a bare LF in a header value", http({ httpHeaders: { "X-A": "a\nb" } }), "httpHeaders.X-A"],
  ["ESC in a header value", http({ httpHeaders: { "X-A": "a\u001bb" } }), "httpHeaders.X-A"],
  ["a character HTTP cannot carry in a header value", http({ httpHeaders: { "X-A": "备份" } }), "httpHeaders.X-A"],
  ["credentials in the webhook URL", webhook("https://bot:hunter2@hooks.example.test/x"), "notifyWebhookUrl"],
  ["a tab inside the webhook URL", webhook("https://hooks.exa\tmple.test/x"), "notifyWebhookUrl"],
  [
    "NUL in an email address",
    shellTask({ notifyPolicy: "ON_END", notifyChannel: "EMAIL", notifyEmails: ["ops\u0000@example.com"] }),
    "notifyEmails[0]",
  ],
];

describe.each(providers)("bad input on %s", (provider) => {
  let t: TestApp;
  let existing: { id: number };
  beforeAll(async () => {
    t = await startTestApp(provider);
    existing = await createTask(t.app, { name: "existing" });
  });
  afterAll(async () => t?.close());

  const post = (payload: unknown) => t.app.inject({ method: "POST", url: "/api/tasks", payload: payload as object });

  it.each(badInputs)(
    "POST and PUT refuse %s with a 400 naming the field, storing nothing",
    async (_what, body, field) => {
      const before = await taskCount(t.app);
      const stored = await t.app.database.db.task.findUniqueOrThrow({ where: { id: existing.id } });
      for (const res of [
        await post(body),
        await t.app.inject({ method: "PUT", url: `/api/tasks/${existing.id}`, payload: body }),
      ]) {
        expect(res.statusCode, res.body).toBe(400);
        const json = res.json();
        expect(json).toMatchObject({ statusCode: 400, error: "Bad Request", code: "VALIDATION_FAILED" });
        expect(json.details.map((d: { field: string }) => d.field)).toContain(field);
        expect(json.message).toContain(field);
      }
      expect(await taskCount(t.app)).toBe(before);
      expect(await t.app.database.db.task.findUniqueOrThrow({ where: { id: existing.id } })).toEqual(stored);
    },
  );

  it("says to send URL credentials as an Authorization header, and never echoes the password", async () => {
    const res = await post(http({ command: "http://user:secret@example.test/x" }));
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([
      { field: "command", message: expect.stringMatching(/Authorization header/), code: "URL_CREDENTIALS" },
    ]);
    expect(res.body).not.toContain("secret");
    const hook = await t.app.inject({
      method: "POST",
      url: "/api/notifications/test",
      payload: { notifyChannel: "WEBHOOK", notifyWebhookUrl: "https://bot:hunter2@hooks.example.test/x" },
    });
    expect(hook.statusCode).toBe(400);
    expect(hook.json().details.map((d: { field: string }) => d.field)).toContain("notifyWebhookUrl");
    expect(hook.body).not.toContain("hunter2");
  });

  it("still lets a task stored before these rules be disabled, and makes any other edit fix it", async () => {
    const { id } = await t.app.database.db.task.create({
      data: {
        name: "legacy\tname",
        nameKey: "legacy\tname",
        mode: "HTTP",
        modeSettings: JSON.stringify({
          command: "http://user:secret@example.test/x",
          httpMethod: "GET",
          httpHeaders: {},
          httpBody: null,
        }),
        cron: "0 3 * * *",
        timezone: "UTC",
        searchText: "legacy\tname\nhttp://user:secret@example.test/x\n",
        notifySettings: "{}",
        notifyKeywords: "[]",
        env: "{}",
      },
    });
    const toggle = await t.app.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload: { enabled: false } });
    expect(toggle.statusCode, toggle.body).toBe(200);
    expect(toggle.json()).toMatchObject({ enabled: false, nextRunAt: null });
    const edit = await t.app.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload: { remark: "x" } });
    expect(edit.statusCode).toBe(400);
    expect(
      edit
        .json()
        .details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(["command", "name"]);
    expect((await t.app.database.db.task.findUniqueOrThrow({ where: { id } })).remark).toBe("");
  });

  it("keeps what is legitimate: line breaks and tabs in a SHELL command, Latin-1 in a header, NUL in a POST body", async () => {
    const target = await startHttpTarget();
    try {
      const script = "printf 'a\\tb\\n'\nprintf 'c\\033[0m\\n'";
      const shell = await createTask(t.app, { name: "Ünïcode ✓ 备份 🚀", command: script });
      const shellRun = await waitForRun(t.app, await runNow(t.app, shell.id));
      expect(shellRun).toMatchObject({ status: "SUCCEEDED", output: "a\tb\nc\u001b[0m\n" });

      const body = 'head\u0000tail {"x":"\u001b"}';
      const res = await post(
        http({ httpMethod: "POST", command: `${target.url}/nul`, httpHeaders: { "X-Name": "café" }, httpBody: body }),
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().httpBody).toBe(body);
      expect((await storedSettings(t.app, res.json().id)).mode.httpBody).toBe(body);
      const run = await waitForRun(t.app, await runNow(t.app, res.json().id));
      expect(run.status).toBe("SUCCEEDED");
      const received = target.received.find((r) => r.url === "/nul");
      expect(received?.body).toBe(body);
      expect(received?.headers["x-name"]).toBe("café");
    } finally {
      await target.close();
    }
  });

  it("makes names unique ignoring ASCII case only: accents, ß/ss and emoji stay distinct", async () => {
    const created = async (name: string) => {
      const res = await post(shellTask({ name }));
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      return res.json() as { id: number; name: string };
    };
    const refused = async (name: string) => {
      const before = await taskCount(t.app);
      const res = await post(shellTask({ name }));
      expect(res.statusCode, name).toBe(409);
      expect(res.json()).toMatchObject({ code: "NAME_TAKEN", details: [{ field: "name" }] });
      expect(await taskCount(t.app)).toBe(before);
    };

    const cafe = await created("cafe");
    await created("Café");
    await created("CAFÉ");
    await created("strasse");
    await created("straße");
    await created("STRASSE ß");
    await created("🚀 deploy");
    await created("🎉 deploy");
    await created("😀");
    await created("😁");
    await created("ﬁle"); // the ligature is not "fi"
    await created("file");
    await created("İstanbul"); // dotted capital I is not ASCII
    await created("istanbul");

    await refused("CAFE");
    await refused("Cafe");
    await refused("café"); // differs from "Café" only in the ASCII "C"
    await refused("STRASSE");
    await refused("🚀 DEPLOY");
    await refused("FILE");
    await refused("ISTANBUL");
    await refused("CAFé");

    // Renaming onto another task's name folds the same way; a task may change its own case.
    const rename = (id: number, name: string) =>
      t.app.inject({ method: "PATCH", url: `/api/tasks/${id}`, payload: { name } });
    expect((await rename(cafe.id, "STRASSE")).statusCode).toBe(409);
    expect((await rename(cafe.id, "Straße")).statusCode).toBe(409); // "straße" exists
    const own = await rename(cafe.id, "CAFE");
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().name).toBe("CAFE");

    // Search and sort by name treat ASCII case alike and everything else as written.
    const list = async (query: string) =>
      (await t.app.inject({ method: "GET", url: `/api/tasks?pageSize=100&${query}` }))
        .json()
        .items.map((i: { name: string }) => i.name) as string[];
    expect((await list("q=CAF")).sort()).toEqual(["CAFE", "CAFÉ", "Café"].sort());
    expect(await list("q=%C3%89")).toEqual(["CAFÉ"]);
    expect(await list("q=stra%C3%9F")).toEqual(["straße"]);
    const sorted = await list("sort=name&order=asc&q=ca");
    expect(sorted).toEqual(["CAFE", "CAFÉ", "Café"]);
  });
});

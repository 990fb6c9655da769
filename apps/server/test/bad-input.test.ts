import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellTask, startTestApp, type TestApp, taskCount } from "./helpers.ts";

// Issue 9.8: input that used to be stored and then broke every run, leaked a secret to viewers or
// collided with an unrelated name on MariaDB.

const providers = await testProviders();

describe.each(providers)("bad input on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  const post = (payload: unknown) => t.app.inject({ method: "POST", url: "/api/tasks", payload: payload as object });

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

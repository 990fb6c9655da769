import { execFileSync } from "node:child_process";
import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteRuns } from "../src/runs/repository.ts";
import { createTask, runNow, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

// The whole output of a run (day two): kept compressed in RunOutput up to RUN_OUTPUT_MAX_BYTES a
// run and RUN_OUTPUT_BUDGET_BYTES in all, served by the download; the run keeps its head and tail.

const providers = await testProviders();
type FullOutputInfo = { kept: boolean; bytes: number | null; compressedBytes: number; capped: boolean };
const info = (run: Record<string, unknown>) => run.fullOutput as FullOutputInfo & { bytes: number };
const SEQ = "seq 1 200000";
/** What the command really prints (about 1.2 MiB). */
const seqOutput = execFileSync("sh", ["-c", SEQ], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8");

describe.each(providers)("full output on %s", (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { secretsKey: "test-secrets-key-0123456789" });
  });
  afterAll(async () => t?.close());

  const download = (id: number) => t.app.inject({ method: "GET", url: `/api/runs/${id}/output` });

  it("keeps the page's head and tail, and downloads exactly what the command printed", async () => {
    const task = await createTask(t.app, { command: SEQ });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.status).toBe("SUCCEEDED");
    expect(run.truncated).toBe(true);
    expect(run.outputBytes).toBe(Buffer.byteLength(seqOutput));
    expect(Buffer.byteLength(run.output)).toBeLessThan(70 * 1024);
    expect(run.output).toMatch(/…\[\d+ bytes truncated\]…/);
    expect(run.fullOutput).toMatchObject({ kept: true, bytes: Buffer.byteLength(seqOutput), capped: false });
    expect(info(run).compressedBytes).toBeGreaterThan(0);
    expect(info(run).compressedBytes).toBeLessThan((run.outputBytes as number) / 2);

    const res = await download(run.id);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.headers["content-disposition"]).toMatch(/^attachment; filename="run-\d+-.*\.log"$/);
    expect(res.headers["x-output-full"]).toBe("true");
    expect(res.headers["x-output-partial"]).toBe("false");
    expect(res.headers["x-output-truncated"]).toBe("true");
    expect(res.body === seqOutput).toBe(true);
  });

  it("says a short output is held whole by the run itself, with nothing stored", async () => {
    const task = await createTask(t.app, { command: "echo short" });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(run.fullOutput).toEqual({ kept: true, bytes: 6, compressedBytes: 0, capped: false });
    expect(await t.app.database.db.runOutput.count({ where: { runId: run.id } })).toBe(0);
    const res = await download(run.id);
    expect(res.headers["x-output-full"]).toBe("true");
    expect(res.body).toBe("short\n");
  });

  it("masks a secret in the whole output as in the page", async () => {
    const VALUE = "hunter2-very-secret-value";
    const created = await t.app.inject({ method: "POST", url: "/api/secrets", payload: { name: "BIG", value: VALUE } });
    expect(created.statusCode).toBe(201);
    const task = await createTask(t.app, {
      command: `echo "first $TOKEN"; seq 1 100000; echo "middle $TOKEN"; seq 1 100000; echo "last $TOKEN"`,
      env: { TOKEN: "${secret:BIG}" },
    });
    const run = await waitForRun(t.app, await runNow(t.app, task.id));
    expect(info(run).kept).toBe(true);
    const body = (await download(run.id)).body;
    expect(body).not.toContain(VALUE);
    expect(body).not.toContain(VALUE.slice(0, 10));
    expect(body.match(/\*\*\*/g)).toHaveLength(3);
    expect(body).toContain("middle ***\n");
    const row = await t.app.database.db.runOutput.findUniqueOrThrow({ where: { runId: run.id } });
    expect(row.compressedBytes).toBe(row.data.length);
  });
});

describe.each(providers)("full output cap and budget on %s", (provider) => {
  let t: TestApp;
  const MAX = 200_000;
  beforeAll(async () => {
    // A cap far below the command's output; a budget that holds two capped outputs, not three.
    t = await startTestApp(provider, { runOutputMaxBytes: MAX, runOutputBudgetBytes: 150_000 });
  });
  afterAll(async () => t?.close());

  const download = (id: number) => t.app.inject({ method: "GET", url: `/api/runs/${id}/output` });
  let taskId = 0;
  const ids: number[] = [];

  it("caps an output over RUN_OUTPUT_MAX_BYTES: its head and end, and a line saying what was left out", async () => {
    taskId = (await createTask(t.app, { command: SEQ })).id;
    const run = await waitForRun(t.app, await runNow(t.app, taskId));
    ids.push(run.id);
    expect(run.fullOutput).toMatchObject({ kept: true, capped: true });
    expect(info(run).bytes).toBeGreaterThanOrEqual(MAX);
    expect(info(run).bytes).toBeLessThan(MAX + 20_000);
    const res = await download(run.id);
    expect(res.headers["x-output-full"]).toBe("true");
    expect(res.headers["x-output-partial"]).toBe("true");
    const body = res.body;
    expect(Buffer.byteLength(body)).toBe(info(run).bytes);
    const [head, tail] = body.split(
      /\n…\[\d+ bytes left out: the output was over the full-output cap of 200000 bytes\]…\n/,
    );
    expect(head && seqOutput.startsWith(head)).toBe(true);
    expect(Buffer.byteLength(head as string)).toBe(MAX / 2);
    expect(tail && seqOutput.endsWith(tail)).toBe(true);
    expect(Buffer.byteLength(tail as string)).toBeGreaterThanOrEqual(MAX / 2);
    const left = Number(body.match(/…\[(\d+) bytes left out/)?.[1]);
    expect(left + Buffer.byteLength(head as string) + Buffer.byteLength(tail as string)).toBe(
      Buffer.byteLength(seqOutput),
    );
  });

  it("drops the oldest runs' full outputs past the budget, keeping their head and tail", async () => {
    for (let i = 0; i < 2; i++) ids.push((await waitForRun(t.app, await runNow(t.app, taskId))).id);
    const stored = await t.app.database.db.runOutput.findMany({ select: { runId: true, compressedBytes: true } });
    expect(stored.map((r) => r.runId).sort((a, b) => a - b)).toEqual(ids.slice(1));
    expect(stored.reduce((sum, r) => sum + r.compressedBytes, 0)).toBeLessThanOrEqual(150_000);

    const oldest = (await t.app.inject({ method: "GET", url: `/api/runs/${ids[0]}` })).json();
    expect(oldest.fullOutput).toEqual({ kept: false, bytes: null, compressedBytes: 0, capped: false });
    const res = await download(ids[0] as number);
    expect(res.headers["x-output-full"]).toBe("false");
    expect(res.headers["x-output-partial"]).toBe("true");
    expect(res.body).toBe(oldest.output);
    expect(res.body).toMatch(/…\[\d+ bytes truncated\]…/);
  });

  it("deletes the full outputs with their runs (retention, cleanup, a task's deletion)", async () => {
    const removed = await deleteRuns(t.app.database.db, { id: ids[1] as number });
    expect(removed).toBe(1);
    expect(await t.app.database.db.runOutput.count({ where: { runId: ids[1] as number } })).toBe(0);
    expect(await t.app.database.db.runOutput.count()).toBe(1);
    expect((await t.app.inject({ method: "DELETE", url: `/api/tasks/${taskId}` })).statusCode).toBe(204);
    expect(await t.app.database.db.runOutput.count()).toBe(0);
  });
});

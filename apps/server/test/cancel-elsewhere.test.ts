import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { describe, expect, it } from "vitest";
import { appOn, createTask, runNow, waitForRun } from "./helpers.ts";

const providers = await testProviders();

/** Two instances on one database without NATS: each runs what it starts. */
describe.each(providers)("cancel through the instance that does not run the attempt, on %s", (provider) => {
  it("reaches the instance that runs it, which stops it and records why", async () => {
    const db = createTestDatabase(provider);
    const a = await appOn(db.url, { instanceName: "a", stopGraceMs: 2_000 });
    const b = await appOn(db.url, { instanceName: "b", stopGraceMs: 2_000 });
    try {
      const task = await createTask(a, { command: "echo started; sleep 60" });
      const runId = await runNow(a, task.id);
      await waitForRun(b, runId, (r) => r.status === "RUNNING");
      expect(b.engine.live.has(runId)).toBe(false);
      const res = await b.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
      expect(res.statusCode).toBe(202);
      const canceled = await waitForRun(b, runId, undefined, 15_000);
      expect(canceled.status).toBe("CANCELED");
      expect(canceled.error).toMatch(/canceled by a user/);
      expect(canceled.executor).toBe("a");
      // An ended run cannot be canceled again.
      expect((await b.inject({ method: "POST", url: `/api/runs/${runId}/cancel` })).statusCode).toBe(409);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 60_000);
});

import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { natsServerAvailable, startNatsServer } from "@crondeck/transport-nats/testing";
import { describe, expect, it } from "vitest";
import { appOn, createTask, issueToken, runNow, waitForRun } from "../helpers.ts";
import { sseEvents } from "../sse-events.ts";
import { startExecutor } from "./executors.ts";

const providers = await testProviders();

/** Two control-plane instances and one executor: the user talks to the one that did not dispatch. */
describe.skipIf(!natsServerAvailable()).each(providers)(
  "a run on an executor, from any instance, on %s",
  (provider) => {
    it("is followed live over SSE and canceled through the instance that did not dispatch it", async () => {
      const nats = await startNatsServer();
      const db = createTestDatabase(provider);
      const a = await appOn(db.url, { natsUrl: nats.url, instanceName: "a", stopGraceMs: 2_000 });
      const b = await appOn(db.url, { natsUrl: nats.url, instanceName: "b", stopGraceMs: 2_000 });
      const executor = await startExecutor({ NATS_URL: nats.url, EXECUTOR_NAME: "exec-a", EXECUTOR_GROUPS: "default" });
      try {
        // Live output: three lines a second apart, followed through b.
        const lines = await createTask(a, {
          command: "echo line-1; sleep 1; echo line-2; sleep 1; echo line-3",
          concurrencyPolicy: "ALLOW",
        });
        const runId = await runNow(a, lines.id);
        await waitForRun(b, runId, (r) => r.status === "RUNNING" && r.executor === "exec-a");
        const address = await b.listen({ port: 0, host: "127.0.0.1" });
        const token = await issueToken(b, "viewer", "follower");
        const res = await fetch(`${address}/api/runs/${runId}/stream`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const events = sseEvents(await res.text());
        const lastStatus = events.findLastIndex((e) => e.event === "status");
        const liveOutput = events
          .slice(0, lastStatus)
          .filter((e) => e.event === "output" && !JSON.parse(e.data).reset)
          .map((e) => JSON.parse(e.data).text as string)
          .join("");
        // Lines arrived while it ran, before its final status; the stored output closes the stream.
        expect(liveOutput).toMatch(/line-2/);
        expect(JSON.parse(events[lastStatus]?.data ?? "{}").status).toBe("SUCCEEDED");
        expect(events.at(-1)?.event).toBe("end");

        // Cancel through b.
        const sleeper = await createTask(a, { command: "echo started; sleep 60", concurrencyPolicy: "ALLOW" });
        const sleepRun = await runNow(a, sleeper.id);
        await waitForRun(b, sleepRun, (r) => r.status === "RUNNING" && r.executor === "exec-a");
        const cancel = await b.inject({ method: "POST", url: `/api/runs/${sleepRun}/cancel` });
        expect(cancel.statusCode).toBe(202);
        const canceled = await waitForRun(b, sleepRun, undefined, 20_000);
        expect(canceled.status).toBe("CANCELED");
        expect(canceled.error).toMatch(/canceled by a user/);
        expect(canceled.executor).toBe("exec-a");
      } finally {
        await executor.kill("SIGKILL");
        await a.close();
        await b.close();
        await db.drop();
        await nats.close();
      }
    }, 60_000);
  },
);

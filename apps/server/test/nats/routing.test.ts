import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { natsServerAvailable, startNatsServer } from "@crondeck/transport-nats/testing";
import { describe, expect, it } from "vitest";
import { appOn, createTask, runNow, waitForRun } from "../helpers.ts";
import { startHttpTarget } from "../http-target.ts";
import { type ExecutorProcess, startExecutor } from "./executors.ts";

const providers = await testProviders();

describe.skipIf(!natsServerAvailable()).each(providers)("executors over NATS on %s", (provider) => {
  it("spreads a group's HTTP runs over its executors and runs a pinned SHELL task only on its executor", async () => {
    const nats = await startNatsServer();
    const db = createTestDatabase(provider);
    const target = await startHttpTarget(() => ({ body: "pong", delayMs: 300 }));
    const control = await appOn(db.url, { natsUrl: nats.url, instanceName: "control" });
    const executors: ExecutorProcess[] = [];
    try {
      for (const name of ["exec-a", "exec-b"]) {
        executors.push(
          await startExecutor({
            NATS_URL: nats.url,
            EXECUTOR_NAME: name,
            EXECUTOR_GROUPS: "web",
            EXECUTOR_CONCURRENCY: "2",
          }),
        );
      }
      const http = await createTask(control, {
        mode: "HTTP",
        command: `${target.url}/ping`,
        httpMethod: "GET",
        executorGroup: "web",
        concurrencyPolicy: "ALLOW",
      });
      const shell = await createTask(control, {
        command: "echo pid $$",
        executorGroup: "exec-b",
        concurrencyPolicy: "ALLOW",
      });

      const httpRuns: number[] = [];
      for (let i = 0; i < 8; i++) httpRuns.push(await runNow(control, http.id));
      const shellRuns: number[] = [];
      for (let i = 0; i < 4; i++) shellRuns.push(await runNow(control, shell.id));

      const ended = await Promise.all([...httpRuns, ...shellRuns].map((id) => waitForRun(control, id)));
      expect(ended.map((r) => r.status)).toEqual(ended.map(() => "SUCCEEDED"));
      const byExecutor = (ids: number[]) => {
        const counts: Record<string, number> = {};
        for (const run of ended.filter((r) => ids.includes(r.id))) {
          const name = String(run.executor);
          counts[name] = (counts[name] ?? 0) + 1;
        }
        return counts;
      };
      // Two executors taking at most two at a time each: both must have run some of the eight.
      const http8 = byExecutor(httpRuns);
      expect(Object.keys(http8).sort()).toEqual(["exec-a", "exec-b"]);
      expect(target.received.length).toBe(8);
      expect(byExecutor(shellRuns)).toEqual({ "exec-b": 4 });
      // The executors' own logs agree with the records: exec-a never started a SHELL run.
      const startedBy = (e: ExecutorProcess) =>
        e.lines.filter((l) => l.msg === "attempt started").map((l) => l.runId as number);
      const [a, b] = executors as [ExecutorProcess, ExecutorProcess];
      expect(startedBy(a).filter((id) => shellRuns.includes(id))).toEqual([]);
      expect(
        startedBy(b)
          .filter((id) => shellRuns.includes(id))
          .sort(),
      ).toEqual([...shellRuns].sort());
      for (const run of ended.filter((r) => shellRuns.includes(r.id))) expect(run.output).toMatch(/^pid \d+/);
    } finally {
      await Promise.all(executors.map((e) => e.kill("SIGKILL")));
      await control.close();
      await target.close?.();
      await db.drop();
      await nats.close();
    }
  }, 90_000);
});

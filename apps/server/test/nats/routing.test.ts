import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { startHttpTarget } from "@crondeck/testing";
import { natsServerAvailable, startNatsServer } from "@crondeck/transport-nats/testing";
import { describe, expect, it } from "vitest";
import { waitFor } from "../faults/instances.ts";
import { appOn, createTask, runNow, waitForRun } from "../helpers.ts";
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
      // The registry lists both, live, with their groups.
      await waitFor(
        async () => {
          const list = (await control.inject({ method: "GET", url: "/api/executors" })).json() as Array<{
            name: string;
            mode: string;
            alive: boolean;
            groups: string[];
          }>;
          const live = list.filter((e) => e.mode === "nats" && e.alive);
          return live.length === 2 ? live : undefined;
        },
        10_000,
        "both executors in /api/executors",
      ).then((live) =>
        expect(live.map((e) => [e.name, e.groups]).sort()).toEqual([
          ["exec-a", ["exec-a", "web"]],
          ["exec-b", ["exec-b", "web"]],
        ]),
      );
      // Saving a task whose group no live executor serves warns (and saves).
      const orphan = await control.inject({
        method: "POST",
        url: "/api/tasks",
        payload: { name: "orphan", mode: "SHELL", command: "true", cron: "0 3 * * *", executorGroup: "nowhere" },
      });
      expect(orphan.statusCode).toBe(201);
      expect(orphan.json().warnings).toEqual([
        {
          code: "NO_LIVE_EXECUTOR",
          message: expect.stringContaining('"nowhere"'),
          params: { group: "nowhere", seconds: 60 },
        },
      ]);
      const http = await createTask(control, {
        mode: "HTTP",
        command: `${target.url}/ping`,
        httpMethod: "GET",
        executorGroup: "web",
        concurrencyPolicy: "ALLOW",
      });
      // A group two live executors serve: no warning.
      expect((http as { warnings?: unknown }).warnings).toBeUndefined();
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

import { openDatabase } from "@crondeck/db";
import { createTestDatabase, mysqlReachable } from "@crondeck/db/testing";
import { natsServerAvailable, startNatsServer } from "@crondeck/transport-nats/testing";
import { describe, expect, it } from "vitest";
import { forbidSkipIsTrue, type Instance, startInstance, waitFor } from "../faults/instances.ts";
import { appOn, createTask } from "../helpers.ts";
import { type ExecutorProcess, startExecutor } from "./executors.ts";

/** Seconds of per-second slots counted; CRONDECK_NATS_SLOTS_S=60 gives the minute of the issue. */
const SECONDS = Number(process.env.CRONDECK_NATS_SLOTS_S ?? 10);
const TASKS = 10;

describe.skipIf(!natsServerAvailable() || !(await mysqlReachable()))(
  "two control-plane instances and two executors on one MySQL",
  () => {
    it("run every per-second slot exactly once, each attempt started once and its result recorded once", async () => {
      const nats = await startNatsServer();
      const db = createTestDatabase("mysql");
      const setup = await appOn(db.url, { instanceName: "setup" });
      const instances: Instance[] = [];
      const executors: ExecutorProcess[] = [];
      const closers: Array<() => Promise<void>> = [];
      try {
        const tasks = [];
        for (let i = 0; i < TASKS; i++) {
          tasks.push(
            await createTask(setup, { cron: "* * * * * *", command: `echo tick ${i}`, executorGroup: "pool" }),
          );
        }
        await setup.close();
        for (const name of ["exec-a", "exec-b"]) {
          executors.push(await startExecutor({ NATS_URL: nats.url, EXECUTOR_NAME: name, EXECUTOR_GROUPS: "pool" }));
        }
        for (const name of ["cp-a", "cp-b"]) {
          instances.push(await startInstance({ DATABASE_URL: db.url, NATS_URL: nats.url, INSTANCE_NAME: name }));
        }
        // A plain client: an app here would be a third instance, with a reaper of its own.
        const reader = await openDatabase(db.url, { migrate: false });
        closers.push(() => reader.close());
        const prisma = reader.db;
        // Count from the first whole second both instances have been up.
        const first = Math.ceil(Date.now() / 1000) * 1000 + 2_000;
        const last = first + (SECONDS - 1) * 1_000;
        await waitFor(
          async () => {
            const done = await prisma.run.count({
              where: { scheduledAt: new Date(last), status: { notIn: ["QUEUED", "RUNNING"] } },
            });
            return done >= TASKS ? true : undefined;
          },
          60_000 + SECONDS * 1_000,
          "the last slot to end for every task",
        );
        // Both stop cleanly under load: a control plane and an executor drain, and exit 0.
        expect(await Promise.all(instances.map((i) => i.kill("SIGTERM")))).toEqual([0, 0]);
        expect(await Promise.all(executors.map((e) => e.kill("SIGTERM")))).toEqual([0, 0]);

        const runs = await prisma.run.findMany({
          where: { scheduledAt: { gte: new Date(first), lte: new Date(last) } },
        });
        const problems: string[] = [];
        const started = new Map<number, number>();
        for (const e of executors) {
          for (const line of e.lines) {
            if (line.msg === "attempt started")
              started.set(line.runId as number, (started.get(line.runId as number) ?? 0) + 1);
          }
        }
        const byExecutor: Record<string, number> = {};
        for (const task of tasks) {
          const ofTask = runs.filter((r) => r.taskId === task.id);
          for (let at = first; at <= last; at += 1_000) {
            const found = ofTask.filter((r) => r.scheduledAt.getTime() === at);
            if (found.length !== 1) problems.push(`task ${task.id} @${(at - first) / 1000}s: ${found.length} runs`);
            for (const run of found) {
              if (run.status === "SKIPPED" && forbidSkipIsTrue(run, ofTask)) continue;
              if (run.status !== "SUCCEEDED") problems.push(`run ${run.id}: ${run.status} ${run.error}`);
              if (run.status === "SUCCEEDED" && started.get(run.id) !== 1)
                problems.push(`run ${run.id}: started ${started.get(run.id) ?? 0} times`);
              byExecutor[run.executor ?? "?"] = (byExecutor[run.executor ?? "?"] ?? 0) + 1;
            }
          }
        }
        expect(problems).toEqual([]);
        expect(Object.keys(byExecutor).sort()).toEqual(["exec-a", "exec-b"]);
        const lateness = runs
          .filter((r) => r.startedAt)
          .map((r) => (r.startedAt as Date).getTime() - r.scheduledAt.getTime())
          .sort((x, y) => x - y);
        console.log(
          `NATS exactly once: ${TASKS} tasks × ${SECONDS} s = ${runs.length} runs, by executor ${JSON.stringify(byExecutor)}; ` +
            `start lateness p50 ${lateness[Math.floor(lateness.length / 2)]} ms, p99 ${lateness[Math.floor(lateness.length * 0.99)]} ms`,
        );
      } finally {
        await Promise.all(instances.map((i) => i.kill("SIGKILL")));
        await Promise.all(executors.map((e) => e.kill("SIGKILL")));
        for (const close of closers) await close();
        await db.drop();
        await nats.close();
      }
    }, 180_000);
  },
);

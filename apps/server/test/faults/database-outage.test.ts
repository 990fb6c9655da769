import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type PrivateMariadb, privateMariadbAvailable, startPrivateMariadb } from "@crondeck/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appOn, createTask, runNow, waitForRun } from "../helpers.ts";
import { forbidSkipIsTrue, waitFor } from "./instances.ts";

const OUTAGE_MS = 12_000;
const UNREACHABLE = /database could not be reached/;

describe.skipIf(!privateMariadbAvailable())(
  "the database stops and starts again under a running app (private MariaDB)",
  () => {
    let server: PrivateMariadb;
    let app: FastifyInstance;
    beforeAll(async () => {
      server = await startPrivateMariadb();
      app = await appOn(server.url, { scheduler: true });
    });
    afterAll(async () => {
      await app?.close();
      await server?.destroy();
    });

    it("records every slot once with a true reason, keeps a finished result, runs nothing twice, and says not ready at once", async () => {
      const dir = mkdtempSync(join(tmpdir(), "crondeck-outage-"));
      const skip = await createTask(app, { cron: "* * * * * *", command: "echo tick", misfirePolicy: "SKIP" });
      const latest = await createTask(app, { cron: "* * * * * *", command: "echo tock", misfirePolicy: "RUN_LATEST" });
      const slow = await createTask(app, {
        cron: "0 0 1 1 *",
        command: `echo started >> ${dir}/slow.count; sleep 5; echo done`,
        retryCount: 1,
        retryIntervalSeconds: 0,
      });
      const prisma = app.database.db;
      await waitFor(
        async () =>
          (await prisma.run.count({ where: { taskId: latest.id, status: "SUCCEEDED" } })) >= 3 ? true : undefined,
        30_000,
        "the per-second tasks to run",
      );
      const slowRun = await runNow(app, slow.id);
      await waitForRun(app, slowRun, (r) => r.status === "RUNNING");

      await server.crash();
      const down = Date.now();
      const began = performance.now();
      const ready = await app.inject({ method: "GET", url: "/readyz" });
      const readyMs = performance.now() - began;
      expect(ready.statusCode).toBe(503);
      expect(readyMs, "/readyz answers within a second while the database is away").toBeLessThan(1_000);
      await sleep(OUTAGE_MS - (Date.now() - down)); // the fault's length, not a wait for an outcome
      await server.start();
      const up = Date.now();

      // Recovered: the slow run's end is recorded, and slots well after the outage ran.
      const lastSlot = Math.ceil(up / 1000) * 1000 + 5_000;
      await waitForRun(app, slowRun, undefined, 60_000);
      await waitFor(
        async () => {
          const done = await prisma.run.count({
            where: { scheduledAt: new Date(lastSlot), status: { notIn: ["QUEUED", "RUNNING"] } },
          });
          return done >= 2 ? true : undefined;
        },
        60_000,
        "slots after the outage to end",
      );
      await app.engine.stop(5_000);

      const firstSlot = Math.floor(down / 1000) * 1000 - 2_000;
      const runs = await prisma.run.findMany({
        where: { scheduledAt: { gte: new Date(firstSlot), lte: new Date(lastSlot) } },
        orderBy: { scheduledAt: "asc" },
      });
      const problems: string[] = [];
      for (const task of [skip, latest]) {
        const mine = runs.filter((r) => r.taskId === task.id);
        for (let at = firstSlot; at <= lastSlot; at += 1000) {
          const found = mine.filter((r) => r.scheduledAt.getTime() === at);
          const when = `${task.name} slot ${(at - down) / 1000} s after the crash`;
          if (found.length !== 1) problems.push(`${when}: ${found.length} records`);
          for (const run of found) {
            if (run.status === "SKIPPED" && !UNREACHABLE.test(run.error ?? "") && !forbidSkipIsTrue(run, mine)) {
              problems.push(`${when}: SKIPPED "${run.error}"`);
            }
            if (!["SUCCEEDED", "SKIPPED"].includes(run.status)) problems.push(`${when}: ${run.status} ${run.error}`);
            // Well inside the outage nothing was started on time; with SKIP nothing runs late.
            if (task === skip && at > down + 2_000 && at < up - 3_000 && run.status !== "SKIPPED") {
              problems.push(`${when}: ${run.status}, not recorded as missed`);
            }
            if (at > up + 3_000 && run.status !== "SUCCEEDED")
              problems.push(`${when}: ${run.status} after the recovery`);
          }
        }
      }
      if (problems.length > 0) {
        const t = (d: Date | null) => (d ? ((d.getTime() - down) / 1000).toFixed(2) : "-");
        console.log(
          runs
            .map(
              (r) =>
                `${r.taskId}/${r.id} at ${t(r.scheduledAt)} created ${t(r.createdAt)} started ${t(r.startedAt)} finished ${t(r.finishedAt)} ${r.status} ${r.error ?? ""}`,
            )
            .join("\n"),
          `up ${t(new Date(up))}`,
        );
      }
      expect(problems).toEqual([]);
      // SKIP ran nothing late. RUN_LATEST ran exactly one of the slots missed well inside the outage
      // (those that could not be started within the 2 s a fire waits for the database): the latest,
      // once the database was back.
      const late = runs.filter(
        (r) => r.taskId === skip.id && r.startedAt && r.startedAt.getTime() - r.scheduledAt.getTime() > 3_500,
      );
      expect(late).toEqual([]);
      const missedWindow = runs.filter(
        (r) => r.taskId === latest.id && r.scheduledAt.getTime() > down + 1_000 && r.scheduledAt.getTime() < up - 2_000,
      );
      const ranLate = missedWindow.filter((r) => r.status === "SUCCEEDED");
      expect(ranLate).toHaveLength(1);
      expect(ranLate[0]?.scheduledAt).toEqual(missedWindow.at(-1)?.scheduledAt);
      expect((ranLate[0] as { startedAt: Date }).startedAt.getTime()).toBeGreaterThanOrEqual(up);
      expect(missedWindow.filter((r) => r.status === "SKIPPED" && /only the latest/.test(r.error ?? ""))).toHaveLength(
        missedWindow.length - 1,
      );

      // The run that finished during the outage: recorded once it could be, never run again.
      const slowRuns = await prisma.run.findMany({ where: { taskId: slow.id } });
      expect(slowRuns.map((r) => [r.attempt, r.status])).toEqual([[1, "SUCCEEDED"]]);
      expect(slowRuns[0]?.output).toContain("done");
      expect(readFileSync(join(dir, "slow.count"), "utf8")).toBe("started\n");
      console.log(
        `outage of ${up - down} ms: /readyz answered 503 in ${Math.round(readyMs)} ms; ${runs.length} slot records; ` +
          `${runs.filter((r) => UNREACHABLE.test(r.error ?? "")).length} recorded as missed`,
      );
    }, 120_000);
  },
);

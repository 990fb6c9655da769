import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openDatabase } from "@crondeck/db";
import { createSqliteDatabase, lockSqlite } from "@crondeck/db/testing";
import { describe, expect, it } from "vitest";
import { appOn, createTask } from "../helpers.ts";
import { forbidSkipIsTrue, startInstance, waitFor } from "./instances.ts";

const LOCK_MS = 12_000;

describe("SQLite made unwritable under a running instance (another process holds its write lock)", () => {
  it("keeps a finished result until it is written, runs nothing twice, and leaves no slot unrecorded or stuck", async () => {
    const db = createSqliteDatabase();
    const dir = mkdtempSync(join(tmpdir(), "crondeck-locked-"));
    const setup = await appOn(db.url);
    const tick = await createTask(setup, { cron: "* * * * * *", command: "echo tick" });
    const slow = await createTask(setup, {
      cron: "0 0 1 1 *",
      command: `echo started >> ${dir}/slow.count; sleep 4; echo done`,
      retryCount: 1,
      retryIntervalSeconds: 0,
    });
    // No other instance on the database while it is locked: only the one under test, and a plain
    // client that reads (WAL readers are not blocked by the lock).
    await setup.close();
    const reader = await openDatabase(db.url, { migrate: false });
    const prisma = reader.db;
    const instance = await startInstance({
      DATABASE_URL: db.url,
      INSTANCE_NAME: "locked",
      RUN_TASK_ID: String(slow.id),
      STOP_GRACE_MS: "10000",
    });
    try {
      const slowRun = await waitFor(
        () => prisma.run.findFirst({ where: { taskId: slow.id, status: "RUNNING" } }).then((r) => r ?? undefined),
        30_000,
        "the slow run to start",
      );
      await waitFor(
        async () =>
          (await prisma.run.count({ where: { taskId: tick.id, status: "SUCCEEDED" } })) >= 4 ? true : undefined,
        30_000,
        "ticks",
      );
      const lock = lockSqlite(db.url);
      const locked = Date.now();
      await sleep(LOCK_MS); // the fault's length, not a wait for an outcome
      lock.release();
      const unlocked = Date.now();

      await waitFor(
        async () => {
          const run = await prisma.run.findUniqueOrThrow({ where: { id: slowRun.id } });
          return run.status === "RUNNING" ? undefined : run;
        },
        60_000,
        "the slow run's end to be recorded",
      );
      const lastSlot = Math.ceil(unlocked / 1000) * 1000 + 5_000;
      await waitFor(
        async () =>
          (await prisma.run.count({
            where: { taskId: tick.id, scheduledAt: new Date(lastSlot), status: { notIn: ["QUEUED", "RUNNING"] } },
          })) === 1
            ? true
            : undefined,
        60_000,
        "a slot after the lock to end",
      );
      expect(await instance.kill("SIGTERM")).toBe(0);

      const slowRuns = await prisma.run.findMany({ where: { taskId: slow.id } });
      expect(slowRuns.map((r) => [r.attempt, r.status])).toEqual([[1, "SUCCEEDED"]]);
      expect(slowRuns[0]?.output).toContain("done");
      expect(readFileSync(join(dir, "slow.count"), "utf8")).toBe("started\n");

      const firstSlot = Math.floor(locked / 1000) * 1000 - 2_000;
      const ticks = await prisma.run.findMany({
        where: { taskId: tick.id, scheduledAt: { gte: new Date(firstSlot), lte: new Date(lastSlot) } },
      });
      const problems: string[] = [];
      for (let at = firstSlot; at <= lastSlot; at += 1000) {
        const found = ticks.filter((r) => r.scheduledAt.getTime() === at);
        const when = `slot ${(at - locked) / 1000} s after the lock`;
        if (found.length !== 1) problems.push(`${when}: ${found.length} records`);
        for (const run of found) {
          if (
            run.status === "SKIPPED" &&
            !/database could not be reached/.test(run.error ?? "") &&
            !forbidSkipIsTrue(run, ticks)
          ) {
            problems.push(`${when}: SKIPPED "${run.error}"`);
          }
          if (!["SUCCEEDED", "SKIPPED"].includes(run.status)) problems.push(`${when}: ${run.status} ${run.error}`);
        }
      }
      if (problems.length > 0) {
        const t = (d: Date | null) => (d ? ((d.getTime() - locked) / 1000).toFixed(2) : "-");
        console.log(
          ticks
            .map(
              (r) =>
                `${r.id} at ${t(r.scheduledAt)} created ${t(r.createdAt)} started ${t(r.startedAt)} finished ${t(r.finishedAt)} ${r.status} ${r.executor}`,
            )
            .join("\n"),
        );
      }
      expect(problems).toEqual([]);
      expect(await prisma.run.count({ where: { status: { in: ["QUEUED", "RUNNING"] } } })).toBe(0);
      console.log(
        `SQLite locked ${unlocked - locked} ms: ${ticks.length} tick slots, ` +
          `${ticks.filter((r) => r.status === "SKIPPED").length} recorded as missed, the slow run recorded once`,
      );
    } finally {
      await instance.kill("SIGKILL");
      await reader.close();
      await db.drop();
    }
  }, 150_000);
});

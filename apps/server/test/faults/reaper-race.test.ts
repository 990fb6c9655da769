import { randomUUID } from "node:crypto";
import { parseDatabaseUrl } from "@crondeck/db";
import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import type { FastifyInstance } from "fastify";
import { describe, expect, it } from "vitest";
import { InstanceLease } from "../../src/engine/lease.ts";
import { Reaper } from "../../src/engine/reaper.ts";
import type { RunJob } from "../../src/engine/run-job.ts";
import { RunStore } from "../../src/engine/run-store.ts";
import { appOn, createTask } from "../helpers.ts";

const providers = await testProviders();
const quiet = { info() {}, warn() {}, error() {} };

/**
 * Two live instances judge a dead peer's claim in the same round. The one that reads it second
 * must not take the claim its peer just took over (RUNNING now, under a live owner) for a run of
 * the dead one: CI once saw a whole slot of 20 tasks end LOST that way.
 */
describe.each(providers)("two reapers and one dead peer's claim on %s", (provider) => {
  it("the slower reaper leaves the claim its peer took over running", async () => {
    const database = createTestDatabase(provider);
    let app: FastifyInstance | undefined;
    try {
      app = await appOn(database.url);
      const db = app.database.db;
      const task = await createTask(app, { cron: "0 0 1 1 *", command: "echo tick" });
      // A claim of a process whose lease is gone (its name was taken by a successor).
      const dead = randomUUID();
      const claim = await db.run.create({
        data: {
          taskId: task.id,
          trigger: "SCHEDULE",
          scheduledAt: new Date(Date.now() - 2_000),
          fireKey: "race",
          attempt: 1,
          status: "QUEUED",
          executor: "dead",
          ownerId: dead,
          output: "",
          matchedKeywords: "[]",
        },
      });

      const store = new RunStore(db, parseDatabaseUrl(database.url).provider);
      const fast = new InstanceLease(db, "fast", "in-process", "test", quiet);
      const slow = new InstanceLease(db, "slow", "in-process", "test", quiet);
      await fast.register();
      await slow.register();
      // The slow reaper's round reads the claim; before it judges it, the fast one takes it over.
      const racing = Object.create(store) as RunStore;
      racing.inProgress = async () => {
        const seen = await store.inProgress();
        expect(await store.takeOver(claim, fast.bootId, "fast")).not.toBeNull();
        return seen;
      };
      const calls: string[] = [];
      const job = {
        runTakenOver: async () => void calls.push("runTakenOver"),
        retryLost: async () => void calls.push("retryLost"),
      } as unknown as RunJob;
      const reaper = new Reaper({
        db,
        store: racing,
        lease: slow,
        job,
        executorName: "slow",
        lostSilenceMs: 10_000,
        ended: (run) => calls.push(`ended ${run.status}`),
        track: () => {},
        accountsFor: () => false,
        cancelRequested: () => calls.push("cancelRequested"),
        log: quiet,
      });
      await reaper.round();

      const after = await db.run.findUniqueOrThrow({ where: { id: claim.id } });
      expect({ status: after.status, ownerId: after.ownerId, executor: after.executor }).toEqual({
        status: "RUNNING",
        ownerId: fast.bootId,
        executor: "fast",
      });
      expect(calls).toEqual([]);
    } finally {
      await app?.close();
      await database.drop();
    }
  }, 60_000);
});

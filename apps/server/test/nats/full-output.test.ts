import { execFileSync } from "node:child_process";
import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { connectNats, FULL_OUTPUT_STREAM } from "@crondeck/transport-nats";
import { natsServerAvailable, startNatsServer } from "@crondeck/transport-nats/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { appOn, createTask, runNow, waitForRun } from "../helpers.ts";
import { startExecutor } from "./executors.ts";

// The whole output of a run on a remote executor (day two): its compressed file travels in parts
// beside the result (a NATS message holds 1 MiB), is stored once with the result, and the parts
// are removed from NATS once recorded.

const providers = await testProviders();
const SEQ = "seq 1 300000";
const printed = execFileSync("sh", ["-c", SEQ], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8");

describe.skipIf(!natsServerAvailable()).each(providers)("full output from a NATS executor on %s", (provider) => {
  it("arrives once, whole, and leaves nothing on NATS", async () => {
    const nats = await startNatsServer();
    const db = createTestDatabase(provider);
    const control = await appOn(db.url, { natsUrl: nats.url, instanceName: "control" });
    const executor = await startExecutor({ NATS_URL: nats.url, EXECUTOR_NAME: "exec-a", EXECUTOR_GROUPS: "out" });
    const nc = await connectNats(nats.url, "test reader");
    try {
      const task = await createTask(control, { command: SEQ, executorGroup: "out" });
      const run = await waitForRun(control, await runNow(control, task.id), undefined, 60_000);
      expect(run.status).toBe("SUCCEEDED");
      expect(run.executor).toBe("exec-a");
      expect(run.truncated).toBe(true);
      expect(run.fullOutput).toMatchObject({ kept: true, bytes: Buffer.byteLength(printed), capped: false });
      const res = await control.inject({ method: "GET", url: `/api/runs/${run.id}/output` });
      expect(res.headers["x-output-full"]).toBe("true");
      expect(res.body === printed).toBe(true);
      expect(await control.database.db.runOutput.count()).toBe(1);
      // Its parts are purged once the result is recorded.
      const info = await (await jetstreamManager(nc)).streams.info(FULL_OUTPUT_STREAM);
      expect(info.state.messages).toBe(0);
      expect(info.state.last_seq).toBeGreaterThanOrEqual(1);
    } finally {
      await nc.close();
      await executor.kill("SIGKILL");
      await control.close();
      await db.drop();
      await nats.close();
    }
  });
});

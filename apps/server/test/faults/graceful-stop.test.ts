import { createTestDatabase, testProviders } from "@crondeck/db/testing";
import { describe, expect, it } from "vitest";
import { appOn, createTask } from "../helpers.ts";
import { startInstance, waitFor } from "./instances.ts";

const providers = await testProviders();

describe.each(providers)("SIGTERM with scheduled runs in flight on %s", (provider) => {
  it("lets every run under way finish within the grace, scheduled ones included", async () => {
    const db = createTestDatabase(provider);
    const setup = await appOn(db.url);
    const prisma = setup.database.db;
    try {
      const task = await createTask(setup, { cron: "*/2 * * * * *", command: "sleep 3; echo finished" });
      const instance = await startInstance({ DATABASE_URL: db.url, INSTANCE_NAME: "stopping", STOP_GRACE_MS: "20000" });
      const running = await waitFor(
        () =>
          prisma.run
            .findFirst({ where: { taskId: task.id, trigger: "SCHEDULE", status: "RUNNING" } })
            .then((r) => r ?? undefined),
        30_000,
        "a scheduled run under way",
      );
      const code = await instance.kill("SIGTERM");
      expect(code).toBe(0);
      const after = await prisma.run.findUniqueOrThrow({ where: { id: running.id } });
      expect(after.status, after.error ?? "").toBe("SUCCEEDED");
      expect(after.output).toContain("finished");
      // Nothing was left claimed or running by the stopped instance.
      expect(await prisma.run.count({ where: { status: { in: ["QUEUED", "RUNNING"] } } })).toBe(0);
    } finally {
      await setup.close();
      await db.drop();
    }
  }, 60_000);
});

import { type Database, openDatabase, redactDatabaseUrl } from "@crondeck/db";
import fp from "fastify-plugin";
import { RunRepository } from "../../runs/repository.ts";
import { SecretStore } from "../../secrets/store.ts";
import { TaskRepository } from "../../tasks/repository.ts";

declare module "fastify" {
  interface FastifyInstance {
    database: Database;
    tasks: TaskRepository;
    runs: RunRepository;
    secrets: SecretStore;
  }
}

const NEXT_RUN_REFRESH_MS = 5_000;

/** Opens the database (migrating it first) and closes it with the app. */
export default fp(
  async (app) => {
    const database = await openDatabase(app.config.databaseUrl);
    app.log.info(
      { database: redactDatabaseUrl(app.config.databaseUrl), provider: database.provider },
      "database ready",
    );
    app.decorate("database", database);
    app.decorate("tasks", new TaskRepository(database.db, database.provider, app.modules));
    app.decorate("runs", new RunRepository(database.db));
    app.decorate("secrets", new SecretStore(database.db, app.config.secretsKey));
    app.addHook("onClose", async () => database.close());

    // The task list's next-run keys, recomputed in the background for the tasks that fired since
    // (all of them right after the upgrade that added the column), so a list sorted by next run
    // seldom has to wait for it. Stopped before the database closes (onClose runs newest first).
    let refreshTimer: NodeJS.Timeout | undefined;
    const refresh = () =>
      app.tasks.refreshNextRuns().catch((err) => app.log.debug({ err }, "could not refresh next-run keys"));
    app.addHook("onReady", async () => {
      void refresh();
      // With the scheduler on, the engine moves the keys of the tasks it fires on itself
      // (engine/next-run-keys.ts): a second writer of the same rows would only add lock waits.
      if (app.config.scheduler) return;
      refreshTimer = setInterval(refresh, NEXT_RUN_REFRESH_MS);
      refreshTimer.unref();
    });
    app.addHook("onClose", async () => {
      clearInterval(refreshTimer);
      await app.tasks.refreshDone();
    });
  },
  { name: "database" },
);

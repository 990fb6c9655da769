import { type Database, openDatabase, redactDatabaseUrl } from "@crondeck/db";
import fp from "fastify-plugin";
import { RunRepository } from "../../runs/repository.ts";
import { TaskRepository } from "../../tasks/repository.ts";

declare module "fastify" {
  interface FastifyInstance {
    database: Database;
    tasks: TaskRepository;
    runs: RunRepository;
  }
}

/** Opens the database (migrating it first) and closes it with the app. */
export default fp(
  async (app) => {
    const database = await openDatabase(app.config.databaseUrl);
    app.log.info(
      { database: redactDatabaseUrl(app.config.databaseUrl), provider: database.provider },
      "database ready",
    );
    app.decorate("database", database);
    app.decorate("tasks", new TaskRepository(database.db));
    app.decorate("runs", new RunRepository(database.db));
    app.addHook("onClose", async () => database.close());
  },
  { name: "database" },
);

import fp from "fastify-plugin";
import { DEFAULT_TIMINGS, Engine, type EngineTimings } from "../../engine/engine.ts";

declare module "fastify" {
  interface FastifyInstance {
    engine: Engine;
  }
}

export interface EnginePluginOptions {
  timings?: Partial<EngineTimings>;
  /** How long close() waits for runs under way before cancelling them. */
  stopGraceMs?: number;
}

/** Starts the scheduler and in-process executors with the app, and stops them gracefully with it. */
export default fp<EnginePluginOptions>(
  async (app, options) => {
    const engine = new Engine(
      app.database.db,
      app.config,
      app.log,
      { ...DEFAULT_TIMINGS, ...options.timings },
      undefined,
      app.modules,
      app.secrets,
    );
    app.decorate("engine", engine);
    app.addHook("onReady", async () => engine.start());
    // Runs before the database plugin's onClose (hooks run in reverse order of registration).
    app.addHook("onClose", async () => engine.stop(options.stopGraceMs ?? 30_000));
  },
  { name: "engine", dependencies: ["database"] },
);

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Db } from "@crondeck/db";
import type { Config } from "@crondeck/server";
import type { Dispatcher } from "../../apps/server/src/engine/dispatch.ts";
import type * as EngineModule from "../../apps/server/src/engine/engine.ts";

// The Engine without Fastify (which plays no part in firing). Used for the no-op dispatcher (the
// floor of the fire path: scheduler, FORBID check, claim, finish, notifier on the real database,
// with nothing executed), since buildApp has no seam for a dispatcher. BENCH_ENGINE_MODULE may
// name another engine.ts (a candidate change) to measure; then HTTP tasks run on it too.

type Engine = InstanceType<typeof EngineModule.Engine>;
type EngineLogger = ConstructorParameters<typeof EngineModule.Engine>[2];

export const candidateEngine = process.env.BENCH_ENGINE_MODULE || null;

const ignore = () => {};
const silentLogger = {
  level: "silent",
  fatal: ignore,
  error: ignore,
  warn: ignore,
  info: ignore,
  debug: ignore,
  trace: ignore,
  silent: ignore,
  child: () => silentLogger,
} as unknown as EngineLogger;

const noopDispatcher: Dispatcher = {
  async execute() {
    const now = new Date();
    return {
      status: "SUCCEEDED",
      exitCode: 0,
      httpStatus: null,
      output: "",
      truncated: false,
      outputBytes: 0,
      error: null,
      errorCode: null,
      errorParams: null,
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
    };
  },
  executorFor: () => "bench-noop",
};

/** An Engine on `db`; `noop` runs nothing, `in-process` runs tasks as the app does. */
export async function bareEngine(db: Db, config: Config, dispatch: "noop" | "in-process"): Promise<Engine> {
  const url = candidateEngine
    ? pathToFileURL(resolve(candidateEngine)).href
    : new URL("../../apps/server/src/engine/engine.ts", import.meta.url).href;
  const { Engine, DEFAULT_TIMINGS } = (await import(url)) as typeof EngineModule;
  return new Engine(db, config, silentLogger, DEFAULT_TIMINGS, dispatch === "noop" ? noopDispatcher : undefined);
}

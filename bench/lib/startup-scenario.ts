import { setTimeout as sleep } from "node:timers/promises";
import { findPid } from "./proc.ts";
import { ResourceSampler, type WindowUsage } from "./sampler.ts";

export interface StartupSpec {
  kind: "startup";
  provider: "sqlite" | "mysql";
  /** Database already holding the tasks. */
  url: string;
  tasks: number;
  /** How long to watch the armed, idle app afterwards (steady-state cost of many tasks). */
  idleSeconds: number;
}

export interface StartupResult {
  /** Loading the app's modules (first import of @crondeck/server). */
  importMs: number;
  /** buildApp(): plugins registered, database opened and migrated. */
  buildMs: number;
  /** buildApp() until ready(): the scheduler has loaded and armed every task. */
  readyMs: number;
  rssBaseline: number;
  rssReady: number;
  heapUsedReady: number;
  /** The scheduler's task query alone, timed again after start-up. */
  loadQueryMs: number;
  idle: WindowUsage;
  closeMs: number;
}

/** Time and memory for the whole app to start with many enabled tasks already in the database. */
export async function runStartupScenario(spec: StartupSpec): Promise<StartupResult> {
  const rssBaseline = process.memoryUsage.rss();
  const i0 = performance.now();
  const { buildApp, loadConfig } = await import("@crondeck/server");
  const importMs = performance.now() - i0;
  const config = loadConfig(
    { TZ: "UTC" },
    { databaseUrl: spec.url, logLevel: "silent", webDist: "/nonexistent", scheduler: true },
  );

  const t0 = performance.now();
  const app = await buildApp(config, { logger: false, engine: { stopGraceMs: 10_000 } });
  const buildMs = performance.now() - t0;
  await app.ready();
  const readyMs = performance.now() - t0;
  const memory = process.memoryUsage();

  const q0 = performance.now();
  await app.database.db.task.findMany({ where: { enabled: true } });
  const loadQueryMs = performance.now() - q0;

  const sampler = new ResourceSampler(spec.provider === "mysql" ? { mariadb: findPid(["mariadbd", "mysqld"]) } : {});
  await sleep(1000); // let the query's garbage go before watching the steady state
  const from = Date.now();
  sampler.start(1000);
  sampler.resetLoopDelay();
  await sleep(spec.idleSeconds * 1000 + 100);
  const idle = sampler.usage(from, Date.now());
  sampler.stop();

  const c0 = performance.now();
  await app.close();
  const closeMs = performance.now() - c0;
  return {
    importMs,
    buildMs,
    readyMs,
    rssBaseline,
    rssReady: memory.rss,
    heapUsedReady: memory.heapUsed,
    loadQueryMs,
    idle,
    closeMs,
  };
}

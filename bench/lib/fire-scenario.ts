import { setTimeout as sleep } from "node:timers/promises";
import { openDatabase } from "@crondeck/db";
import { buildApp, loadConfig } from "@crondeck/server";
import { bareEngine, candidateEngine } from "./bare-engine.ts";
import { findPid } from "./proc.ts";
import { type FireFigures, fireFigures } from "./run-figures.ts";
import { ResourceSampler, type WindowUsage } from "./sampler.ts";

export type ExecutorKind = "shell" | "http" | "noop";

export interface FireSpec {
  kind: "fire";
  provider: "sqlite" | "mysql";
  /** Database already holding the tasks (the bench seeds it before forking this process). */
  url: string;
  executor: ExecutorKind;
  seconds: number;
  settleSeconds: number;
  /** The HTTP target's pid, to charge its CPU separately. */
  targetPid: number | null;
  /** Dispatch through NATS to executor processes (their pids, to charge their CPU and RSS). */
  nats: { url: string; executorPids: number[]; serverPid: number | null } | null;
}

export interface FireResult {
  /** buildApp (or the bare engine's start) until the scheduler is armed. */
  startMs: number;
  window: { from: string; to: string };
  usage: WindowUsage;
  figures: FireFigures;
  /** app.close(): stop firing, wait for the runs under way, close the database. */
  closeMs: number;
}

const STOP_GRACE_MS = 10_000;

/**
 * Starts the app on a database of N every-second tasks and lets it fire for `seconds` whole
 * seconds after all tasks were armed, plus a settle margin for late fires of the window to be
 * recorded; then stops it and reads the Run table.
 */
export async function runFireScenario(spec: FireSpec): Promise<FireResult> {
  const others: Record<string, number | null> = {};
  if (spec.provider === "mysql") others.mariadb = findPid(["mariadbd", "mysqld"]);
  if (spec.targetPid !== null) others.target = spec.targetPid;
  for (const [i, pid] of (spec.nats?.executorPids ?? []).entries()) others[`executor${i + 1}`] = pid;
  if (spec.nats) others.nats = spec.nats.serverPid;
  const sampler = new ResourceSampler(others);
  // RUN_OUTPUT_LIMIT_BYTES passes through: every live run and attempt allocates a buffer that size.
  const config = loadConfig(
    { TZ: "UTC", RUN_OUTPUT_LIMIT_BYTES: process.env.RUN_OUTPUT_LIMIT_BYTES },
    {
      databaseUrl: spec.url,
      logLevel: "silent",
      webDist: "/nonexistent",
      scheduler: true,
      natsUrl: spec.nats?.url ?? null,
    },
  );

  const t0 = performance.now();
  let stop: () => Promise<void>;
  if (spec.executor === "noop" || (spec.executor === "http" && candidateEngine)) {
    const database = await openDatabase(spec.url);
    const engine = await bareEngine(database.db, config, spec.executor === "noop" ? "noop" : "in-process");
    await engine.start();
    stop = async () => {
      await engine.stop(STOP_GRACE_MS);
      await database.close();
    };
  } else {
    const app = await buildApp(config, { logger: false, engine: { stopGraceMs: STOP_GRACE_MS } });
    await app.ready();
    stop = () => app.close();
  }
  const startMs = performance.now() - t0;
  const armedAt = Date.now();
  sampler.start(1000);

  // Slots are armed strictly after the arming instant, so the first whole second after it is the
  // first slot every task has.
  const from = Math.floor(armedAt / 1000) * 1000 + 1000;
  const to = from + spec.seconds * 1000;
  await sleep(from - Date.now());
  sampler.resetLoopDelay();
  await sleep(to - Date.now());
  const usage = sampler.usage(from, to + 500);
  await sleep(Math.max(0, to + spec.settleSeconds * 1000 - Date.now()));

  const c0 = performance.now();
  await stop();
  const closeMs = performance.now() - c0;
  sampler.stop();

  const database = await openDatabase(spec.url, { migrate: false });
  try {
    const ids = (await database.db.task.findMany({ select: { id: true } })).map((t) => t.id);
    const figures = await fireFigures(database.db, ids, from, to);
    return {
      startMs,
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      usage,
      figures,
      closeMs,
    };
  } finally {
    await database.close();
  }
}

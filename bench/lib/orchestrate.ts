import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createTestDatabase } from "@crondeck/db/testing";
import { startNatsServer } from "@crondeck/transport-nats/testing";
import { exited, firstMessage, forkEntry } from "./child.ts";
import type { DbCostResult } from "./db-cost.ts";
import type { ExecutorKind, FireResult } from "./fire-scenario.ts";
import { type ProfileShare, summarizeProfile } from "./profile.ts";
import { httpGetSettings, seedTasks, taskRow } from "./seed.ts";
import type { SpawnCost } from "./spawn-cost.ts";
import type { StartupResult } from "./startup-scenario.ts";
import { startupTask } from "./task-mix.ts";
import type { WorkerReply, WorkerSpec } from "./worker.ts";

// Runs each scenario in a fresh worker process on a fresh database it seeds first, and always
// drops the database afterwards, whatever happened to the worker.

export type Provider = "sqlite" | "mysql";

export interface Profiled<T> {
  result: T;
  profile: { totalMs: number; byPackage: ProfileShare[] } | null;
}

const WORKER = new URL("./worker.ts", import.meta.url);
const HTTP_TARGET = new URL("./http-target.ts", import.meta.url);

async function inWorker<T>(spec: WorkerSpec, label: string, timeoutMs: number, profileDir: string | null) {
  const name = `${label.replace(/[^a-z0-9-]+/gi, "-")}.cpuprofile`;
  const profileArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}`] : [];
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = forkEntry(WORKER, [JSON.stringify(spec)], profileArgs);
  try {
    const reply = await firstMessage<WorkerReply<T>>(child, timeoutMs, label);
    if (!reply.ok) throw new Error(`${label} failed in its worker:\n${reply.error}`);
    await exited(child, 15_000);
    let profile: Profiled<T>["profile"] = null;
    if (profileDir) {
      try {
        profile = summarizeProfile(join(profileDir, name));
      } catch (err) {
        console.warn(`  (no profile for ${label}: ${(err as Error).message})`);
      }
    }
    return { result: reply.result, profile } satisfies Profiled<T>;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** The keep-alive HTTP endpoint, in its own process. */
async function startHttpTarget() {
  const child = forkEntry(HTTP_TARGET);
  const { port } = await firstMessage<{ port: number }>(child, 30_000, "HTTP target");
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid ?? null,
    async stop() {
      child.disconnect();
      await exited(child, 5_000);
    },
  };
}

export interface FireOptions {
  provider: Provider;
  executor: ExecutorKind;
  tasks: number;
  seconds: number;
  settleSeconds: number;
  profileDir: string | null;
  /** Executor processes over a private nats-server; 0 (default): the one-process mode. */
  natsExecutors?: number;
  /** Their EXECUTOR_CONCURRENCY. */
  executorConcurrency?: number;
}

export async function fireScenario(o: FireOptions): Promise<Profiled<FireResult>> {
  const database = createTestDatabase(o.provider);
  const target = o.executor === "http" ? await startHttpTarget() : null;
  const nats = o.natsExecutors ? await startExecutors(o.natsExecutors, o.executorConcurrency ?? 256) : null;
  try {
    const changes = target ? { mode: "HTTP", modeSettings: httpGetSettings(target.url) } : {};
    await seedTasks(database.url, o.tasks, (i) => taskRow(`fire-${i}`, changes));
    return await inWorker<FireResult>(
      {
        kind: "fire",
        provider: o.provider,
        url: database.url,
        executor: o.executor,
        seconds: o.seconds,
        settleSeconds: o.settleSeconds,
        targetPid: target?.pid ?? null,
        nats: nats ? { url: nats.url, executorPids: nats.pids, serverPid: nats.serverPid } : null,
      },
      `fire-${o.provider}-${o.executor}${nats ? "-nats" : ""}`,
      (o.seconds + o.settleSeconds + 180) * 1000,
      o.profileDir,
    );
  } finally {
    await nats?.stop();
    await target?.stop();
    await database.drop();
  }
}

/** The compiled executor, as `pnpm executor` runs it (bench/executors.ts builds it first). */
const EXECUTOR_MAIN = new URL("../../apps/executor/dist/main.js", import.meta.url);

/** A private nats-server and `count` executor processes serving the default group. */
async function startExecutors(count: number, concurrency: number) {
  const server = await startNatsServer();
  const children: ChildProcess[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const child = spawn(process.execPath, ["--conditions=crondeck-dist", fileURLToPath(EXECUTOR_MAIN)], {
        env: {
          ...process.env,
          NATS_URL: server.url,
          EXECUTOR_NAME: `bench-${i}`,
          EXECUTOR_GROUPS: "default",
          EXECUTOR_CONCURRENCY: String(concurrency),
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
          if (line.includes('"executor ready"')) resolve();
        });
        child.once("exit", (code) => reject(new Error(`executor exited with ${code}`)));
      });
      // Its log is not wanted past this point; keep the pipe drained.
      child.stdout?.resume();
    }
  } catch (err) {
    for (const child of children) child.kill("SIGKILL");
    await server.close();
    throw err;
  }
  return {
    url: server.url,
    serverPid: server.pid,
    pids: children.map((c) => c.pid as number),
    async stop() {
      for (const child of children) child.kill("SIGTERM");
      await Promise.all(children.map((c) => exited(c, 15_000)));
      await server.close();
    },
  };
}

export async function startupScenario(
  provider: Provider,
  tasks: number,
  idleSeconds: number,
  profileDir: string | null,
): Promise<{ seedMs: number } & Profiled<StartupResult>> {
  const database = createTestDatabase(provider);
  try {
    const { ms: seedMs } = await seedTasks(database.url, tasks, startupTask);
    const run = await inWorker<StartupResult>(
      { kind: "startup", provider, url: database.url, tasks, idleSeconds },
      `startup-${provider}`,
      (idleSeconds + 300) * 1000,
      profileDir,
    );
    return { seedMs, ...run };
  } finally {
    await database.drop();
  }
}

export async function dbCostScenario(provider: Provider, tasks: number, rounds: number): Promise<DbCostResult> {
  const database = createTestDatabase(provider);
  try {
    await seedTasks(database.url, tasks, (i) => taskRow(`cost-${i}`));
    const { result } = await inWorker<DbCostResult>(
      { kind: "dbcost", provider, url: database.url, rounds },
      `dbcost-${provider}`,
      300_000,
      null,
    );
    return result;
  } finally {
    await database.drop();
  }
}

export async function spawnCostScenario(ballastMb: number[], spawns: number): Promise<SpawnCost[]> {
  const { result } = await inWorker<SpawnCost[]>({ kind: "spawn", ballastMb, spawns }, "spawn-cost", 300_000, null);
  return result;
}

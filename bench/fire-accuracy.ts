// Fire accuracy of the whole app: N tasks firing every second for S seconds, in-process, on SQLite
// and MySQL, with the real SHELL executor, HTTP tasks against a local keep-alive server, and a
// no-op dispatcher (the scheduler + database floor). Then the start-up of the app with 100,000
// enabled tasks, and what one second's burst of fires costs the database layer.
// Run from the repo root: pnpm bench (all benches) or pnpm exec tsx bench/fire-accuracy.ts [options]
//   --seconds 60 --settle 5 --tasks 1000 --db sqlite,mysql --executor noop,http,shell
//   --startup-tasks 100000 --idle 15 --rounds 5 --only spawn,dbcost,fire,startup --profile DIR
// Every scenario runs in its own process on its own database, dropped afterwards. See
// docs/benchmarks.md for what each figure means.
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { mysqlReachable } from "@crondeck/db/testing";
import { int, list } from "./lib/args.ts";
import { candidateEngine } from "./lib/bare-engine.ts";
import type { DbCostResult } from "./lib/db-cost.ts";
import { fireTable } from "./lib/fire-report.ts";
import type { ExecutorKind, FireResult } from "./lib/fire-scenario.ts";
import {
  dbCostScenario,
  fireScenario,
  type Profiled,
  type Provider,
  spawnCostScenario,
  startupScenario,
} from "./lib/orchestrate.ts";
import type { SpawnCost } from "./lib/spawn-cost.ts";
import type { StartupResult } from "./lib/startup-scenario.ts";
import { formatTable, mb, ms, pct } from "./lib/table.ts";

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    settle: { type: "string", default: "5" },
    tasks: { type: "string", default: "1000" },
    db: { type: "string", default: "sqlite,mysql" },
    executor: { type: "string", default: "noop,http,shell" },
    "startup-tasks": { type: "string", default: "100000" },
    idle: { type: "string", default: "15" },
    rounds: { type: "string", default: "5" },
    only: { type: "string", default: "spawn,dbcost,fire,startup" },
    profile: { type: "string" },
  },
});

const seconds = int("seconds", opts.seconds, 5, 600);
const settleSeconds = int("settle", opts.settle, 1, 60);
const tasks = int("tasks", opts.tasks, 1, 20_000);
const startupTasks = int("startup-tasks", opts["startup-tasks"], 1, 1_000_000);
const idleSeconds = int("idle", opts.idle, 1, 120);
const rounds = int("rounds", opts.rounds, 1, 50);
const phases = new Set(list(opts.only));
const executors = list(opts.executor) as ExecutorKind[];
for (const e of executors) if (!["noop", "http", "shell"].includes(e)) throw new Error(`unknown executor ${e}`);

async function providers(): Promise<Provider[]> {
  const wanted = list(opts.db) as Provider[];
  if (!wanted.includes("mysql")) return wanted;
  let reachable = false;
  try {
    reachable = await mysqlReachable();
  } catch (err) {
    console.warn((err as Error).message);
  }
  if (!reachable) console.log("NOTE: MySQL is unreachable (see the warning above): its scenarios are skipped.");
  return reachable ? wanted : wanted.filter((p) => p !== "mysql");
}

function commit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "apps/server", "packages"], { encoding: "utf8" });
    return dirty.trim() ? `${head} + uncommitted changes in apps/server or packages` : head;
  } catch {
    return "unknown";
  }
}

function banner(): void {
  console.log(`code: ${commit()}`);
  if (candidateEngine) console.log(`engine: CANDIDATE ${candidateEngine} (noop and http scenarios)`);
  const cpu = cpus()[0]?.model ?? "?";
  console.log(
    `machine: ${availableParallelism()} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `Node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
}

function printSpawnCost(results: SpawnCost[]): void {
  console.log("\n== Cost of one spawn() of /bin/sh -c true, by the spawning process's RSS ==");
  const rows = results.map((r) => [`${r.rssMb.toFixed(0)} MB`, ms(r.msPerSpawn, 2), ms(r.maxPerSecond)]);
  console.log(formatTable(["RSS", "ms blocked per spawn", "max spawns/s per event loop"], rows));
}

function printDbCost(results: Array<[Provider, DbCostResult]>): void {
  if (results.length === 0) return;
  console.log(`\n== Database cost of one burst of ${results[0]?.[1].tasks} fires (median of ${rounds} rounds) ==`);
  const rows = results.flatMap(([provider, r]) =>
    r.rows.map((c) => [provider, c.way, c.step, String(c.queries), ms(c.wallMs), ms(c.cpuMs)]),
  );
  console.log(formatTable(["db", "way", "step", "queries", "wall ms", "app cpu ms"], rows));
}

function printFire(results: Array<[string, Profiled<FireResult>]>): void {
  if (results.length === 0) return;
  console.log(`\n== Fire accuracy: ${tasks} tasks every second, ${seconds} s window ==`);
  console.log(fireTable(results));
}

type StartupRun = { seedMs: number } & Profiled<StartupResult>;

function printProfile(label: string, profile: Profiled<unknown>["profile"]): void {
  if (!profile) return;
  console.log(`\nCPU profile ${label} (self time by package, ${ms(profile.totalMs / 1000, 1)} s sampled):`);
  for (const p of profile.byPackage)
    console.log(`  ${p.pct.toFixed(1).padStart(5)}%  ${ms(p.ms).padStart(7)} ms  ${p.what}`);
}

function printStartup(results: Array<[Provider, StartupRun]>): void {
  if (results.length === 0) return;
  console.log(`\n== App start-up with ${startupTasks} enabled tasks ==`);
  const rows = results.map(([provider, { seedMs, result: r }]) => [
    provider,
    ms(seedMs),
    ms(r.importMs),
    ms(r.buildMs),
    ms(r.readyMs),
    ms(r.loadQueryMs),
    mb(r.rssBaseline),
    mb(r.rssReady),
    mb(r.heapUsedReady),
    pct(r.idle.cpuPct),
    ms(r.idle.loopDelay.max),
    pct(r.idle.othersPct.mariadb),
    ms(r.closeMs),
  ]);
  console.log(
    formatTable(
      [
        "db",
        "seed ms",
        "import ms",
        "buildApp ms",
        "buildApp→ready ms",
        "task query ms",
        "RSS before",
        "RSS ready",
        "heap ready",
        `idle CPU ${idleSeconds}s`,
        "idle loop max ms",
        "MariaDB idle",
        "close ms",
      ],
      rows,
    ),
  );
}

async function main(): Promise<void> {
  banner();
  const dbs = await providers();
  const profileDir = opts.profile ?? null;

  if (phases.has("spawn")) {
    console.log("[spawn] 200 spawns at several RSS sizes…");
    printSpawnCost(await spawnCostScenario([150, 300, 600], 200));
  }

  const costs: Array<[Provider, DbCostResult]> = [];
  if (phases.has("dbcost")) {
    for (const provider of dbs) {
      console.log(`[dbcost] ${provider}: ${rounds} rounds of a ${tasks}-fire burst…`);
      costs.push([provider, await dbCostScenario(provider, tasks, rounds)]);
    }
    printDbCost(costs);
  }

  const fires: Array<[string, Profiled<FireResult>]> = [];
  if (phases.has("fire")) {
    for (const provider of dbs) {
      for (const executor of executors) {
        const label = `${provider}/${executor}`;
        console.log(`[fire] ${label}: ${tasks} tasks, ${seconds} s + ${settleSeconds} s settle…`);
        try {
          fires.push([label, await fireScenario({ provider, executor, tasks, seconds, settleSeconds, profileDir })]);
        } catch (err) {
          console.error(`[fire] ${label} FAILED: ${(err as Error).message}`);
          process.exitCode = 1;
        }
      }
    }
    printFire(fires);
  }

  const startups: Array<[Provider, StartupRun]> = [];
  if (phases.has("startup")) {
    for (const provider of dbs) {
      console.log(`[startup] ${provider}: seeding ${startupTasks} tasks…`);
      try {
        startups.push([provider, await startupScenario(provider, startupTasks, idleSeconds, profileDir)]);
      } catch (err) {
        console.error(`[startup] ${provider} FAILED: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    }
    printStartup(startups);
    for (const [provider, { profile }] of startups) printProfile(`start-up ${provider}`, profile);
  }

  if (phases.has("fire")) {
    const goal = fires.map(([label, { result: r }]) => {
      const ok = (r.figures.lateness.p99 ?? Number.POSITIVE_INFINITY) < 50 && r.figures.missed === 0;
      return `${label}: ${ok ? "MET" : "NOT MET"} (p99 ${ms(r.figures.lateness.p99)} ms, missed ${r.figures.missed}, skipped ${r.figures.byStatus.SKIPPED ?? 0})`;
    });
    console.log(`\nGoal p99 lateness < 50 ms and zero missed:\n  ${goal.join("\n  ")}`);
  }
}

await main();

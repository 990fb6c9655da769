// Where attempts run, measured side by side in one run: the one-process mode (HTTP in the API
// process, SHELL in its local worker child) against executor processes fed through NATS JetStream
// (a private nats-server, N executors serving the default group), on the same machine, database
// and task load. Per scenario: missed and duplicate slots, start lateness, CPU and RSS of the app
// and of each executor (idle before the window, most within it).
// Run from the repo root: pnpm --filter @crondeck/bench bench:executors [options]
//   --seconds 60 --settle 5 --http-tasks 1000 --shell-tasks 300 --db sqlite,mysql
//   --executors 2 --concurrency 256 --only http,shell
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { mysqlReachable } from "@crondeck/db/testing";
import { natsServerAvailable } from "@crondeck/transport-nats/testing";
import { int, list } from "./lib/args.ts";
import { fireTable } from "./lib/fire-report.ts";
import type { ExecutorKind, FireResult } from "./lib/fire-scenario.ts";
import { fireScenario, type Profiled, type Provider } from "./lib/orchestrate.ts";
import { mb, ms } from "./lib/table.ts";

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    settle: { type: "string", default: "5" },
    "http-tasks": { type: "string", default: "1000" },
    "shell-tasks": { type: "string", default: "300" },
    db: { type: "string", default: "sqlite,mysql" },
    executors: { type: "string", default: "2" },
    concurrency: { type: "string", default: "256" },
    only: { type: "string", default: "http,shell" },
  },
});
const seconds = int("seconds", opts.seconds, 5, 600);
const settleSeconds = int("settle", opts.settle, 1, 60);
const executors = int("executors", opts.executors, 1, 16);
const concurrency = int("concurrency", opts.concurrency, 1, 4096);
const loads: Array<{ kind: ExecutorKind; tasks: number; goal: (r: FireResult) => string }> = [];
if (list(opts.only).includes("http"))
  loads.push({
    kind: "http",
    tasks: int("http-tasks", opts["http-tasks"], 1, 20_000),
    goal: (r) => verdict(r, 50),
  });
if (list(opts.only).includes("shell"))
  loads.push({
    kind: "shell",
    tasks: int("shell-tasks", opts["shell-tasks"], 1, 20_000),
    goal: (r) => verdict(r, 100),
  });

function verdict(r: FireResult, p99Goal: number): string {
  const p99 = r.figures.lateness.p99 ?? Number.POSITIVE_INFINITY;
  const ok = p99 < p99Goal && r.figures.missed === 0 && r.figures.duplicates === 0;
  return `${ok ? "MET" : "NOT MET"} (p99 ${ms(p99)} ms < ${p99Goal}, missed ${r.figures.missed}, duplicates ${r.figures.duplicates}, skipped ${r.figures.byStatus.SKIPPED ?? 0}, failed ${r.figures.byStatus.FAILED ?? 0})`;
}

async function main(): Promise<void> {
  natsServerAvailable();
  // Executors run compiled, as `pnpm executor` runs them.
  execFileSync("pnpm", ["build:executor"], { cwd: new URL("..", import.meta.url), stdio: "ignore" });
  const dbs: Provider[] = [];
  for (const db of list(opts.db) as Provider[]) {
    if (db === "mysql" && !(await mysqlReachable())) console.log("(MySQL does not answer: skipped)");
    else dbs.push(db);
  }
  const goals: string[] = [];
  const rss: string[] = [];
  for (const load of loads) {
    const results: Array<[string, Profiled<FireResult>]> = [];
    for (const provider of dbs) {
      for (const nats of [0, executors]) {
        const label = `${provider}/${load.kind}/${nats ? `nats×${nats}` : load.kind === "shell" ? "worker" : "in-process"}`;
        console.log(`[${label}] ${load.tasks} tasks every second, ${seconds} s + ${settleSeconds} s settle…`);
        try {
          const run = await fireScenario({
            provider,
            executor: load.kind,
            tasks: load.tasks,
            seconds,
            settleSeconds,
            profileDir: null,
            natsExecutors: nats,
            executorConcurrency: concurrency,
          });
          results.push([label, run]);
          goals.push(`${label}: ${load.goal(run.result)}`);
          if (nats) {
            const each = Object.entries(run.result.usage.othersRss).filter(([l]) => l.startsWith("executor"));
            const max = Math.max(...each.map(([, v]) => v.max ?? 0));
            rss.push(
              `${label}: executor RSS idle ${each.map(([, v]) => (v.idle == null ? "-" : mb(v.idle))).join(" / ")}, most under load ${mb(max)} (${max < 100 * 2 ** 20 ? "MET" : "NOT MET"} < 100 MB)`,
            );
          }
        } catch (err) {
          console.error(`[${label}] FAILED: ${(err as Error).message}`);
          process.exitCode = 1;
        }
      }
    }
    if (results.length > 0) {
      console.log(`\n== ${load.kind.toUpperCase()}: ${load.tasks} tasks every second, ${seconds} s window ==`);
      console.log(fireTable(results));
    }
  }
  console.log(`\nGoals:\n  ${goals.join("\n  ")}\n  ${rss.join("\n  ")}`);
}

await main();

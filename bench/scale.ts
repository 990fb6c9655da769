import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase, type Provider, taskNameKey, taskSearchText } from "@crondeck/db";
import { createMysqlDatabase, mysqlQuery, mysqlReachable, type TestDatabase } from "@crondeck/db/testing";
import autocannon from "autocannon";
import { sha256 } from "../apps/server/src/auth/secrets.ts";
import { nextRunKey } from "../apps/server/src/tasks/repository.ts";
import { rssMb, startApp } from "./lib/app-process.ts";
import { builtCheckout, startArgs } from "./lib/baseline.ts";
import { seedTasks } from "./lib/seed.ts";
import { startupTask } from "./lib/task-mix.ts";

// The app at scale (issue 11): seeds --tasks tasks (bench/lib/task-mix.ts: hourly or rarer, five
// zones) into SQLite and MariaDB, and measures the built app started as a user starts it (its
// `pnpm start`), before (--baseline, a commit exported and built in a temp folder, or a folder
// already built) and now, in one run:
//   - start: process start → /readyz 200 and RSS once armed (--settle ms after ready), the median
//     of --starts starts, each on a fresh copy of the seeded database;
//   - queries: each task-list query alone, then offered at a fixed rate with autocannon: p50/p99
//     latency and the rate actually served.
//   pnpm --filter @crondeck/bench bench:scale -- [--tasks 100000] [--db sqlite,mysql]
//     [--phases start,queries] [--starts 5] [--rate 500] [--duration 10] [--baseline 721f602] [--plain]
// The current checkout must be built first (`pnpm build:server`). Both versions read the same
// rows: the current schema, written as the API writes them (search text, next-run key). Tasks are
// created "tomorrow", so no slot since their creation is a misfire: every start arms the same
// tasks and fires none (RUN_LATEST at start is tested in apps/server/test/engine-armed.test.ts).
// Not part of CI.

const root = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "100000" },
    rate: { type: "string", default: "500" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "20" },
    baseline: { type: "string", default: "721f602" },
    db: { type: "string", default: "sqlite,mysql" },
    phases: { type: "string", default: "start,queries" },
    starts: { type: "string", default: "5" },
    settle: { type: "string", default: "3000" },
    only: { type: "string" },
    // Also "now" started with node's default flags (without its start script's V8 flags).
    plain: { type: "boolean", default: false },
  },
});
const TASKS = Number(values.tasks);
const RATE = Number(values.rate);
const DURATION = Number(values.duration);
const STARTS = Number(values.starts);
const SETTLE_MS = Number(values.settle);
const PHASES = new Set(values.phases.split(","));

const QUERIES: Array<[string, string]> = [
  ["first page", "page=1&pageSize=20"],
  ["deep page", `page=${Math.max(1, Math.floor(TASKS / 25))}&pageSize=20`],
  ["search (one match)", "q=startup-4242x"],
  ["search (many)", "q=zone%3Dasia"],
  ["search enabled+mode", "q=nightly&enabled=true&mode=SHELL"],
  ["sort=name", "sort=name&order=asc"],
  ["sort=createdAt", "sort=createdAt&order=desc"],
  ["sort=nextRunAt", "sort=nextRunAt&order=asc"],
  ["sort=nextRunAt deep", `sort=nextRunAt&order=asc&page=${Math.max(1, Math.floor(TASKS / 40))}`],
  ["sort=lastStatus", "sort=lastStatus&order=asc"],
];

/** An admin API token stored with the seeded tasks: /metrics (armed tasks) and the queries use it. */
const TOKEN = `cdk_bench_${"5ca1e".repeat(6)}`;
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** The bench's user and token. A user existing, the app starts as it restarts: no first admin to create. */
async function seedToken(url: string): Promise<void> {
  const { db, close } = await openDatabase(url);
  try {
    const user = await db.user.create({ data: { username: "bench", role: "admin", passwordHash: "!" } });
    await db.apiToken.create({
      data: { userId: user.id, name: "bench", tokenHash: sha256(TOKEN), prefix: TOKEN.slice(0, 10), role: "admin" },
    });
  } finally {
    await close();
  }
}

/** A seeded database to start on: SQLite copies a file, MariaDB copies the tables. */
interface Template {
  provider: Provider;
  /** A fresh copy: its URL, and how to remove it. */
  copy(): Promise<{ url: string; remove(): Promise<void> }>;
  remove(): Promise<void>;
}

async function seedTemplate(provider: Provider): Promise<Template> {
  const keys = new Map<string, number>();
  const tomorrow = Date.now() + 86_400_000;
  const make = (i: number) => {
    const task = startupTask(i);
    const name = `${task.name}x`;
    const schedule = `${task.cron}\n${task.timezone}`;
    const next =
      keys.get(schedule) ?? nextRunKey({ enabled: true, cron: task.cron, timezone: task.timezone as string });
    keys.set(schedule, next);
    const command = `true --job ${i} --zone=${task.timezone}`;
    const row = { ...task, name, nameKey: taskNameKey(name), modeSettings: JSON.stringify({ command }) };
    const remark = i % 10 === 0 ? `Nightly report for team ${i % 97}` : "";
    // Distinct creation times to sort by, all after now (see the top of this file).
    const createdAt = new Date(tomorrow - (TASKS - i));
    const searchText = taskSearchText({ name, modeText: command, remark });
    return { ...row, remark, searchText, nextRunAtMs: next, createdAt };
  };
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "crondeck-scale-template-"));
    const file = join(dir, "template.db");
    const { ms } = await seedTasks(`file:${file}`, TASKS, make, 5_000);
    await seedToken(`file:${file}`);
    console.log(`sqlite: seeded ${TASKS} tasks in ${(ms / 1000).toFixed(1)} s`);
    return {
      provider,
      async copy() {
        const copyDir = mkdtempSync(join(tmpdir(), "crondeck-scale-"));
        copyFileSync(file, join(copyDir, "scale.db"));
        return { url: `file:${join(copyDir, "scale.db")}`, remove: async () => rmSync(copyDir, { recursive: true }) };
      },
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const template = createMysqlDatabase();
  const { ms } = await seedTasks(template.url, TASKS, make, 2_000);
  await seedToken(template.url);
  console.log(`mysql: seeded ${TASKS} tasks in ${(ms / 1000).toFixed(1)} s`);
  const templateName = new URL(template.url).pathname.slice(1);
  const tables = (await mysqlQuery<Array<Record<string, string>>>(templateName, "SHOW TABLES")).map(
    (row) => Object.values(row)[0] as string,
  );
  return {
    provider,
    async copy() {
      const target: TestDatabase = createMysqlDatabase();
      const name = new URL(target.url).pathname.slice(1);
      await mysqlQuery("", `CREATE DATABASE \`${name}\``);
      for (const table of tables) {
        await mysqlQuery(name, `CREATE TABLE \`${table}\` LIKE \`${templateName}\`.\`${table}\``);
        await mysqlQuery(name, `INSERT INTO \`${table}\` SELECT * FROM \`${templateName}\`.\`${table}\``);
      }
      return { url: target.url, remove: () => target.drop() };
    },
    remove: () => template.drop(),
  };
}

interface Variant {
  label: string;
  cwd: string;
  args: string[];
}

interface StartFigures {
  readyMs: number;
  /** Process start → every task armed (crondeck_tasks_armed on /metrics). */
  armedMs: number;
  rssMb: number;
}

interface QueryFigures {
  firstMs: Map<string, number>;
  /** Queries whose first request was not 200, with the status. */
  failed: Map<string, number>;
  load: Map<string, { p50: number; p99: number; served: number; errors: number }>;
}

async function armed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: AUTH })).text();
  return Number(/^crondeck_tasks_armed (\d+)/m.exec(text)?.[1] ?? 0);
}

/** One start on a fresh copy: ready, every task armed, then RSS after the settle time. */
async function startOnce(variant: Variant, template: Template): Promise<StartFigures> {
  const db = await template.copy();
  const t0 = performance.now();
  const app = await startApp({ label: variant.label, cwd: variant.cwd, args: variant.args, databaseUrl: db.url });
  try {
    while ((await armed(app.url)) < TASKS) await new Promise((resolve) => setTimeout(resolve, 20));
    const armedMs = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { readyMs: app.readyMs, armedMs, rssMb: rssMb(app.pid) };
  } finally {
    await app.stop();
    await db.remove();
  }
}

async function measureQueries(variant: Variant, template: Template): Promise<QueryFigures> {
  const db = await template.copy();
  const app = await startApp({ label: variant.label, cwd: variant.cwd, args: variant.args, databaseUrl: db.url });
  const url = app.url;
  try {
    while ((await armed(url)) < TASKS) await new Promise((resolve) => setTimeout(resolve, 20));
    const headers = AUTH;

    const firstMs = new Map<string, number>();
    const failed = new Map<string, number>();
    const load = new Map<string, { p50: number; p99: number; served: number; errors: number }>();
    for (const [label, query] of QUERIES) {
      if (values.only && !label.includes(values.only)) continue;
      // The first request alone (a cold key or cache shows here), then the offered load.
      const t0 = performance.now();
      const res = await fetch(`${url}/api/tasks?${query}`, { headers });
      await res.arrayBuffer();
      firstMs.set(label, performance.now() - t0);
      if (res.status !== 200) {
        // Recorded, not fatal: the version before this one answered 500 to some of these.
        failed.set(label, res.status);
        console.log(`  ${variant.label} ${label}: HTTP ${res.status}`);
        continue;
      }
      const result = await autocannon({
        url: `${url}/api/tasks?${query}`,
        headers,
        connections: Number(values.connections),
        overallRate: RATE,
        duration: DURATION,
        timeout: 30,
      });
      // Let the requests still queued from a load the app could not keep up with drain, so the
      // next query's single request is not timed behind them.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      load.set(label, {
        p50: result.latency.p50,
        p99: result.latency.p99,
        served: result.requests.average,
        errors: result.errors + result.timeouts + result.non2xx,
      });
      console.log(
        `  ${variant.label} ${label}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.requests.average} req/s`,
      );
    }
    return { firstMs, failed, load };
  } finally {
    await app.stop();
    await db.remove();
  }
}

if (!existsSync(join(root, "apps/server/dist/server.js"))) {
  throw new Error("apps/server/dist/server.js is missing: run `pnpm build:server` first");
}
const baseline = builtCheckout(root, values.baseline);
const variants: Variant[] = [
  { label: `before (${values.baseline})`, cwd: baseline.dir, args: baseline.startArgs },
  { label: "now", cwd: root, args: startArgs(root) },
];
if (values.plain) {
  const args = startArgs(root).filter((arg) => !/^--max-semi-space-size/.test(arg));
  variants.push({ label: "now, node defaults", cwd: root, args });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const providers = values.db.split(",") as Provider[];
if (providers.includes("mysql") && !(await mysqlReachable())) providers.splice(providers.indexOf("mysql"), 1);

const tables: string[] = [];
try {
  for (const provider of providers) {
    const template = await seedTemplate(provider);
    try {
      const labels = variants.map((v) => v.label);
      const lines: string[] = [];
      const row = (name: string, cells: string[]) => lines.push(`| ${name} | ${cells.join(" | ")} |`);
      if (PHASES.has("start")) {
        const starts = new Map<string, StartFigures[]>(variants.map((v) => [v.label, []]));
        // Interleaved, so a busy machine weighs on both alike.
        for (let i = 0; i < STARTS; i++) {
          for (const variant of variants) {
            const f = await startOnce(variant, template);
            starts.get(variant.label)?.push(f);
            console.log(
              `  ${provider} ${variant.label} start ${i + 1}: ready ${Math.round(f.readyMs)} ms, armed ${Math.round(f.armedMs)} ms, RSS ${f.rssMb} MB`,
            );
          }
        }
        const cell = (label: string, pick: (f: StartFigures) => number, unit: string) => {
          const xs = (starts.get(label) as StartFigures[]).map(pick);
          return `${Math.round(median(xs))} ${unit} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
        };
        const ratio = (pick: (f: StartFigures) => number) => {
          const [b, n] = labels.map((l) => median((starts.get(l) as StartFigures[]).map(pick))) as [number, number];
          return `${(n / b).toFixed(2)}×`;
        };
        row(`start → /readyz 200, median of ${STARTS}`, [
          ...labels.map((l) => cell(l, (f) => f.readyMs, "ms")),
          ratio((f) => f.readyMs),
        ]);
        row("start → every task armed", [
          ...labels.map((l) => cell(l, (f) => f.armedMs, "ms")),
          ratio((f) => f.armedMs),
        ]);
        row(`RSS once armed (+${SETTLE_MS / 1000} s)`, [
          ...labels.map((l) => cell(l, (f) => f.rssMb, "MB")),
          ratio((f) => f.rssMb),
        ]);
      }
      if (PHASES.has("queries")) {
        const results = new Map<string, QueryFigures>();
        for (const variant of variants) {
          console.log(`[${provider} ${variant.label}] node ${variant.args.join(" ")} (in ${variant.cwd})`);
          results.set(variant.label, await measureQueries(variant, template));
        }
        for (const [label, query] of QUERIES) {
          if (values.only && !label.includes(values.only)) continue;
          row(`${label} \`${query}\`: one request`, [
            ...labels.map((l) => {
              const f = results.get(l) as QueryFigures;
              const status = f.failed.get(label);
              return `${Math.round(f.firstMs.get(label) ?? 0)} ms${status ? ` (HTTP ${status})` : ""}`;
            }),
            "",
          ]);
          row(`${label}: p50 / p99, served`, [
            ...labels.map((l) => {
              const f = results.get(l) as QueryFigures;
              const x = f.load.get(label);
              if (!x) return f.failed.has(label) ? "not measured" : "—";
              return `${x.p50} / ${x.p99} ms, ${x.served} req/s${x.errors ? ` (${x.errors} errors)` : ""}`;
            }),
            "",
          ]);
        }
      }
      tables.push(
        [
          `\n${TASKS} tasks, ${provider === "sqlite" ? "SQLite" : "MariaDB"}${PHASES.has("queries") ? `, ${RATE} req/s offered for ${DURATION} s per query` : ""}\n`,
          `| measure | ${labels.join(" | ")} | now / before |`,
          `|---|${labels.map(() => "---").join("|")}|---|`,
          ...lines,
        ].join("\n"),
      );
    } finally {
      await template.remove();
    }
  }
  console.log(tables.join("\n"));
} finally {
  baseline.remove();
}

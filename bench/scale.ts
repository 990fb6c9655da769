import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { listMigrations, MIGRATIONS_DIRS, migrate, parseDatabaseUrl, taskNameKey } from "@crondeck/db";
import autocannon from "autocannon";
import Sqlite from "better-sqlite3";
import { rssMb, startApp } from "./lib/app-process.ts";
import { startupTask } from "./lib/task-mix.ts";

// The task list at scale (issue 11): seeds --tasks tasks (bench/lib/task-mix.ts: hourly or rarer,
// five zones) into SQLite, starts the app as a user would, and offers each task-list query at a
// fixed rate with autocannon: p50/p99 latency and the rate actually served.
//   pnpm build:server && pnpm --filter @crondeck/bench bench:scale -- [--tasks 100000] [--rate 500]
//     [--duration 10] [--baseline /path/to/older/checkout]
// --baseline also measures an older checkout (dependencies installed, e.g. `git archive 3bf2ad1 |
// tar -x -C /tmp/base && cd /tmp/base && pnpm install --offline`), started with tsx as its
// `pnpm start` did, on a copy of the same database: before and after in one run.
// The database is seeded at the schema before the task-list migration, with plain SQL, so both
// versions open it as they find it and the current one upgrades it at start (its backfill is part
// of its start-up figure). Not part of CI.

const root = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "100000" },
    rate: { type: "string", default: "500" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "20" },
    baseline: { type: "string" },
    only: { type: "string" },
  },
});
const TASKS = Number(values.tasks);
const RATE = Number(values.rate);
const DURATION = Number(values.duration);

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

/** The schema before the task-list migration, with TASKS tasks written by plain SQL. */
async function seedTemplate(file: string): Promise<number> {
  const before = listMigrations(MIGRATIONS_DIRS.sqlite)
    .map((m) => m.name)
    .filter((name) => name < "20261201010000")
    .at(-1);
  await migrate(parseDatabaseUrl(`file:${file}`), { upTo: before });
  const db = new Sqlite(file);
  const t0 = performance.now();
  const insert = db.prepare(
    `INSERT INTO "Task" (name, nameKey, mode, cron, timezone, command, httpHeaders, notifyEmails, notifyKeywords,
       misfirePolicy, remark, createdAt, updatedAt) VALUES (?, ?, 'SHELL', ?, ?, ?, '{}', '[]', '[]', ?, ?, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < TASKS; i++) {
      const task = startupTask(i);
      const name = `${task.name}x`;
      // Created over the last TASKS ms: distinct creation times to sort by, and no slot missed since
      // (a RUN_LATEST task created hours ago would run its missed slot at start).
      const at = new Date(now - (TASKS - i)).toISOString();
      insert.run(
        name,
        taskNameKey(name),
        task.cron,
        task.timezone,
        `true --job ${i} --zone=${task.timezone}`,
        task.misfirePolicy,
        i % 10 === 0 ? `Nightly report for team ${i % 97}` : "",
        at,
        at,
      );
    }
  })();
  db.close();
  return performance.now() - t0;
}

interface Variant {
  label: string;
  cwd: string;
  args: string[];
}

interface Figures {
  readyMs: number;
  rssMb: number;
  firstMs: Map<string, number>;
  /** Queries whose first request was not 200, with the status. */
  failed: Map<string, number>;
  load: Map<string, { p50: number; p99: number; served: number; errors: number }>;
}

async function measure(variant: Variant, template: string): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "crondeck-scale-"));
  const file = join(dir, "scale.db");
  copyFileSync(template, file);
  const app = await startApp({ label: variant.label, cwd: variant.cwd, args: variant.args, databaseFile: file });
  const url = app.url;
  try {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rss = rssMb(app.pid);

    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "bench-password-1" }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`${url}/api/tokens`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench" }),
    });
    const { token } = (await created.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };

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
    return { readyMs: app.readyMs, rssMb: rss, firstMs, failed, load };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const variants: Variant[] = [];
if (values.baseline) {
  variants.push({
    label: "before",
    cwd: join(values.baseline, "apps/server"),
    args: ["--import", "tsx", "src/server.ts"],
  });
}
if (!existsSync(join(root, "apps/server/dist/server.js"))) {
  throw new Error("apps/server/dist/server.js is missing: run `pnpm build:server` first");
}
variants.push({
  label: "now",
  cwd: join(root, "apps/server"),
  args: ["--conditions=crondeck-dist", "dist/server.js"],
});

const templateDir = mkdtempSync(join(tmpdir(), "crondeck-scale-template-"));
try {
  const template = join(templateDir, "template.db");
  const seedMs = await seedTemplate(template);
  console.log(`seeded ${TASKS} tasks in ${(seedMs / 1000).toFixed(1)} s; ${RATE} req/s offered for ${DURATION} s each`);
  const results = new Map<string, Figures>();
  for (const variant of variants) {
    console.log(`[${variant.label}] node ${variant.args.join(" ")} (in ${variant.cwd})`);
    results.set(variant.label, await measure(variant, template));
  }
  console.log(`\n${TASKS} tasks, SQLite, ${RATE} req/s offered for ${DURATION} s per query\n`);
  const labels = [...results.keys()];
  console.log(`| measure | ${labels.join(" | ")} |`);
  console.log(`|---|${labels.map(() => "---").join("|")}|`);
  const row = (name: string, cell: (f: Figures) => string) =>
    console.log(`| ${name} | ${labels.map((l) => cell(results.get(l) as Figures)).join(" | ")} |`);
  row("start → /readyz", (f) => `${(f.readyMs / 1000).toFixed(2)} s`);
  row("RSS 3 s after ready", (f) => `${f.rssMb} MB`);
  for (const [label, query] of QUERIES) {
    if (values.only && !label.includes(values.only)) continue;
    row(`${label} \`${query}\`: one request`, (f) => {
      const status = f.failed.get(label);
      return `${Math.round(f.firstMs.get(label) ?? 0)} ms${status ? ` (HTTP ${status})` : ""}`;
    });
    row(`${label}: p50 / p99, served`, (f) => {
      const x = f.load.get(label);
      if (!x) return f.failed.has(label) ? "not measured" : "—";
      return `${x.p50} / ${x.p99} ms, ${x.served} req/s${x.errors ? ` (${x.errors} errors)` : ""}`;
    });
  }
} finally {
  rmSync(templateDir, { recursive: true, force: true });
}

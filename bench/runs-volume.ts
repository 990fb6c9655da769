import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createTestDatabase } from "@crondeck/db/testing";
import autocannon from "autocannon";
import Sqlite from "better-sqlite3";
import mariadb from "mariadb";
import { type AppProcess, startApp } from "./lib/app-process.ts";
import { int, list } from "./lib/args.ts";
import { EXECUTORS, seedMysql, seedSqlite, TICKERS } from "./lib/runs-seed.ts";
import { summarize } from "./lib/stats.ts";

// Runs at volume (issue 11): seeds --tasks tasks and --runs runs spread over 30 days (bench/lib/
// runs-seed.ts) into SQLite and MariaDB, starts the BUILT app as a user would, and offers each
// runs query (the task runs page, /api/runs with every filter, /api/stats, the task list with its
// last results) at a fixed rate with autocannon: p50/p99 and the rate served. Then it prunes: a
// cleanup of two days of old runs while --inflow runs/s are inserted beside it, reporting runs
// deleted per second, how late the app's every-second tickers fired meanwhile, and how long a
// /readyz probe waited at worst.
//   pnpm build:server && pnpm --filter @crondeck/bench bench:runs -- [--runs 10000000] [--tasks 100000]
//     [--db sqlite,mysql] [--rate 100] [--duration 10] [--inflow 1000] [--baseline /tmp/base]
// --baseline: an older checkout, built (`pnpm install --offline && pnpm build:server` in it, e.g.
// `git archive 721f602 | tar -x -C /tmp/base`), measured first on the same database: before and
// after in one run. The database is seeded at the schema before the runs-at-volume migration,
// which this version applies at its start (its time shows as start → ready). Not part of CI.

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  // pnpm passes a leading "--" through.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    runs: { type: "string", default: "10000000" },
    tasks: { type: "string", default: "100000" },
    db: { type: "string", default: "sqlite,mysql" },
    rate: { type: "string", default: "100" },
    duration: { type: "string", default: "10" },
    inflow: { type: "string", default: "1000" },
    baseline: { type: "string" },
    only: { type: "string" },
  },
});
const RUNS = int("runs", values.runs, 1000, 100_000_000);
const TASKS = int("tasks", values.tasks, 100, 10_000_000);
const RATE = int("rate", values.rate, 1, 10_000);
const DURATION = int("duration", values.duration, 1, 600);
const INFLOW = int("inflow", values.inflow, 0, 100_000);
const DAYS = 30;
const PRUNE_WINDOW_MS = 12_000;
const FIRST_TIMEOUT_MS = 60_000;
const DAY = 86_400_000;
const providers = list(values.db) as Array<"sqlite" | "mysql">;

interface Variant {
  label: string;
  cwd: string;
}
const variants: Variant[] = [];
if (values.baseline) variants.push({ label: "before", cwd: join(values.baseline, "apps/server") });
variants.push({ label: "now", cwd: join(root, "apps/server") });
for (const v of variants) {
  if (!existsSync(join(v.cwd, "dist/server.js"))) throw new Error(`${v.cwd}/dist/server.js is missing: build it first`);
}

const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
/** A task with runs (task ids are random per run, so any low id has about runs/tasks of them). */
const QUERIES: Array<[string, string]> = [
  ["task runs page", "/api/tasks/7/runs?page=1&pageSize=20"],
  ["task runs, page 3", "/api/tasks/7/runs?page=3&pageSize=20"],
  ["runs, first page", "/api/runs?page=1&pageSize=20"],
  ["runs, page 50", "/api/runs?page=50&pageSize=20"],
  ["runs status=FAILED", "/api/runs?status=FAILED"],
  ["runs trigger=MANUAL", "/api/runs?trigger=MANUAL"],
  ["runs executor", `/api/runs?executor=${EXECUTORS[3]}`],
  ["runs last 24 h", `/api/runs?from=${iso(now - DAY)}&to=${iso(now)}`],
  ["runs one day, 20 days ago", `/api/runs?from=${iso(now - 20 * DAY)}&to=${iso(now - 19 * DAY)}`],
  ["runs notifyFailed", "/api/runs?notifyFailed=true"],
  ["runs task+status", "/api/runs?taskId=7&status=SUCCEEDED"],
  ["runs status+trigger+executor", `/api/runs?status=FAILED&trigger=SCHEDULE&executor=${EXECUTORS[1]}`],
  ["stats (overview)", "/api/stats"],
  ["task list, first page", "/api/tasks?page=1&pageSize=20"],
  ["task list sort=lastStatus", "/api/tasks?sort=lastStatus&order=asc"],
];

interface Load {
  first: number;
  status: number;
  p50: number;
  p99: number;
  served: number;
  errors: number;
}
interface Prune {
  deleted: number;
  seconds: number;
  inserted: number;
  failedBatches: number;
  insertStallMs: number;
  fireDelay: ReturnType<typeof summarize>;
  fires: number;
  expectedFires: number;
  probeMaxMs: number;
  status: number;
}
interface Figures {
  readyMs: number;
  load: Map<string, Load>;
  prune?: Prune;
}

async function signIn(url: string) {
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
    body: JSON.stringify({ name: `bench-${Date.now()}` }),
  });
  const body = (await created.json()) as { token: string };
  return { authorization: `Bearer ${body.token}` };
}

async function offer(url: string, headers: Record<string, string>, label: string, path: string): Promise<Load> {
  const t0 = performance.now();
  // A query the version cannot answer within FIRST_TIMEOUT_MS is recorded as such (status 0).
  const res = await fetch(`${url}${path}`, { headers, signal: AbortSignal.timeout(FIRST_TIMEOUT_MS) }).then(
    async (r) => {
      await r.arrayBuffer();
      return r.status;
    },
    () => 0,
  );
  const first = performance.now() - t0;
  if (res !== 200) {
    console.log(`    ${label}: ${res ? `HTTP ${res}` : `no answer in ${FIRST_TIMEOUT_MS / 1000} s`}`);
    return { first, status: res, p50: 0, p99: 0, served: 0, errors: 0 };
  }
  const result = await autocannon({
    url: `${url}${path}`,
    headers,
    connections: 10,
    overallRate: RATE,
    duration: DURATION,
    timeout: 30,
  });
  // Requests still queued from a load the app could not keep up with drain before the next query
  // (up to 2 minutes): until a /readyz probe is answered at once.
  for (const until = Date.now() + 120_000; Date.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const p0 = performance.now();
    await fetch(`${url}/readyz`).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
    if (performance.now() - p0 < 50) break;
  }
  console.log(
    `    ${label}: first ${first.toFixed(0)} ms; p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.requests.average} req/s`,
  );
  return {
    first,
    status: 200,
    p50: result.latency.p50,
    p99: result.latency.p99,
    served: result.requests.average,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** POST without a client timeout (a cleanup of millions of runs takes minutes). */
function post(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(data) },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** Inserts `perSecond` finished runs a second (10 batches) beside the app, as other instances' fires would. */
function startInflow(provider: "sqlite" | "mysql", databaseUrl: string, perSecond: number) {
  let inserted = 0;
  let failed = 0;
  let stalledMs = 0;
  let lastError = "";
  let stopped = false;
  const perBatch = Math.max(1, Math.round(perSecond / 10));
  const cols =
    "(taskId, `trigger`, scheduledAt, attempt, status, startedAt, finishedAt, durationMs, output, matchedKeywords, executor, createdAt, updatedAt)";
  const row = "(?, 'MANUAL', ?, 1, 'SUCCEEDED', ?, ?, 5, '', '[]', 'inflow', ?, ?)";
  const args = () => {
    const t = new Date();
    const at = provider === "sqlite" ? t.toISOString().replace("Z", "+00:00") : t;
    return Array.from({ length: perBatch }, (_, i) => [1 + ((inserted + i) % TASKS), at, at, at, at, at]).flat();
  };
  const sql = `INSERT INTO \`Run\` ${cols} VALUES ${Array.from({ length: perBatch }, () => row).join(",")}`;
  let done: Promise<void>;
  if (provider === "sqlite") {
    const db = new Sqlite(databaseUrl.slice("file:".length));
    db.pragma("busy_timeout = 10000");
    const stmt = db.prepare(sql);
    done = (async () => {
      while (!stopped) {
        const t0 = performance.now();
        try {
          stmt.run(...args());
          inserted += perBatch;
        } catch (err) {
          // Locked past its busy timeout by a writer that held the database that long.
          failed += 1;
          lastError = (err as Error).message;
        }
        stalledMs = Math.max(stalledMs, performance.now() - t0);
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - t0))));
      }
      db.close();
    })();
  } else {
    const target = new URL(databaseUrl);
    done = (async () => {
      const conn = await mariadb.createConnection({
        host: target.hostname,
        port: Number(target.port || 3306),
        user: "root",
        database: target.pathname.slice(1),
      });
      while (!stopped) {
        const t0 = performance.now();
        try {
          await conn.query(sql, args());
          inserted += perBatch;
        } catch (err) {
          failed += 1;
          lastError = (err as Error).message;
        }
        stalledMs = Math.max(stalledMs, performance.now() - t0);
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - t0))));
      }
      await conn.end();
    })();
  }
  return {
    async stop() {
      stopped = true;
      await done;
      return { inserted, failed, stalledMs, lastError };
    },
  };
}

/** The tickers' fires scheduled in [from, to): how late each started, and how many there were. */
async function fireDelays(provider: "sqlite" | "mysql", databaseUrl: string, from: number, to: number) {
  const sql = `SELECT scheduledAt, startedAt FROM \`Run\` WHERE taskId > ${TASKS} AND scheduledAt >= ? AND scheduledAt < ? AND startedAt IS NOT NULL`;
  let rows: Array<{ scheduledAt: string | Date; startedAt: string | Date }>;
  if (provider === "sqlite") {
    const db = new Sqlite(databaseUrl.slice("file:".length), { readonly: true });
    const t = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
    rows = db.prepare(sql).all(t(from), t(to)) as typeof rows;
    db.close();
  } else {
    const target = new URL(databaseUrl);
    const conn = await mariadb.createConnection({
      host: target.hostname,
      port: Number(target.port || 3306),
      user: "root",
      database: target.pathname.slice(1),
      timezone: "Z",
    });
    rows = await conn.query(sql, [new Date(from), new Date(to)]);
    await conn.end();
  }
  const ms = (v: string | Date) => (v instanceof Date ? v.getTime() : Date.parse(v));
  return { delays: rows.map((r) => ms(r.startedAt) - ms(r.scheduledAt)), count: rows.length };
}

/** Cleans up the runs that finished before `before` while the inflow runs; times fires meanwhile. */
async function prune(
  app: AppProcess,
  headers: Record<string, string>,
  provider: "sqlite" | "mysql",
  databaseUrl: string,
  before: number,
): Promise<Prune> {
  const inflow = startInflow(provider, databaseUrl, INFLOW);
  let probeMaxMs = 0;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await fetch(`${app.url}/readyz`).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
      probeMaxMs = Math.max(probeMaxMs, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // Fires are timed over at least PRUNE_WINDOW_MS: a quiet stretch, the cleanup, a quiet stretch.
  const w0 = Date.now();
  await new Promise((r) => setTimeout(r, 3000));
  const t0 = Date.now();
  const res = await post(`${app.url}/api/runs/cleanup`, headers, { before: iso(before) });
  const t1 = Date.now();
  await new Promise((r) => setTimeout(r, Math.max(3000, PRUNE_WINDOW_MS - (t1 - w0))));
  const w1 = Date.now();
  probing = false;
  await probe;
  const { inserted, failed, stalledMs, lastError } = await inflow.stop();
  // Fires near the end are still being recorded: wait for their runs to start.
  await new Promise((r) => setTimeout(r, 3000));
  const { delays, count } = await fireDelays(provider, databaseUrl, w0 + 1000, w1);
  const seconds = (t1 - t0) / 1000;
  const deleted = Number((res.json as { runs?: number } | null)?.runs ?? 0);
  console.log(
    `    prune: ${deleted} runs in ${seconds.toFixed(1)} s (${(deleted / seconds).toFixed(0)}/s) beside ${inserted} inserted over ${((w1 - w0) / 1000).toFixed(0)} s; HTTP ${res.status}; ${failed} insert batches failed${failed ? ` (${lastError})` : ""}, longest insert ${stalledMs.toFixed(0)} ms`,
  );
  return {
    deleted,
    seconds,
    inserted,
    failedBatches: failed,
    insertStallMs: stalledMs,
    fireDelay: summarize(delays),
    fires: count,
    expectedFires: Math.max(0, Math.floor((w1 - w0 - 1000) / 1000) * TICKERS),
    probeMaxMs,
    status: res.status,
  };
}

async function measure(variant: Variant, databaseUrl: string): Promise<Figures> {
  console.log(`  [${variant.label}] node dist/server.js in ${variant.cwd}`);
  const app = await startApp({
    label: variant.label,
    cwd: variant.cwd,
    args: ["--conditions=crondeck-dist", "dist/server.js"],
    databaseUrl,
    timeoutMs: 3_600_000,
  });
  console.log(`    ready in ${(app.readyMs / 1000).toFixed(1)} s`);
  try {
    const headers = await signIn(app.url);
    const load = new Map<string, Load>();
    for (const [label, path] of QUERIES) {
      if (values.only && !label.includes(values.only)) continue;
      load.set(label, await offer(app.url, headers, label, path));
    }
    return { readyMs: app.readyMs, load };
  } finally {
    await app.stop();
  }
}

const results = new Map<string, Map<string, Figures>>();
for (const provider of providers) {
  const database = createTestDatabase(provider);
  const dir = mkdtempSync(join(tmpdir(), "crondeck-runs-volume-"));
  try {
    const t0 = performance.now();
    const seed = { tasks: TASKS, runs: RUNS, days: DAYS, now };
    if (provider === "sqlite") await seedSqlite(database.url.slice("file:".length), seed);
    else await seedMysql(database.url, seed, join(dir, "runs.tsv"));
    console.log(
      `${provider}: seeded ${TASKS} tasks and ${RUNS} runs in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const byVariant = new Map<string, Figures>();
    // Queries first (before, then now), then pruning (now, then before) of two different days:
    // each variant deletes about the same number of runs, and the before one runs on the
    // migrated schema, which it ignores.
    for (const variant of variants) byVariant.set(variant.label, await measure(variant, database.url));
    for (const [i, variant] of [...variants].reverse().entries()) {
      console.log(`  [${variant.label}] pruning`);
      const app = await startApp({
        label: variant.label,
        cwd: variant.cwd,
        args: ["--conditions=crondeck-dist", "dist/server.js"],
        databaseUrl: database.url,
        timeoutMs: 3_600_000,
      });
      try {
        const headers = await signIn(app.url);
        // Days 28–30 ago for the first, 26–28 for the second.
        const figures = byVariant.get(variant.label) as Figures;
        figures.prune = await prune(app, headers, provider, database.url, now - (28 - 2 * i) * DAY);
      } finally {
        await app.stop();
      }
    }
    results.set(provider, byVariant);
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\n${TASKS} tasks, ${RUNS} runs over ${DAYS} days; ${RATE} req/s offered for ${DURATION} s per query\n`);
for (const [provider, byVariant] of results) {
  const labels = [...byVariant.keys()];
  console.log(`### ${provider}\n`);
  console.log(`| measure | ${labels.join(" | ")}${labels.length > 1 ? " | before/now p99" : ""} |`);
  console.log(`|---|${labels.map(() => "---").join("|")}${labels.length > 1 ? "|---" : ""}|`);
  const row = (name: string, cell: (f: Figures) => string, ratio?: (f: Figures) => number | null) => {
    const cells = labels.map((l) => cell(byVariant.get(l) as Figures));
    let r = "";
    if (labels.length > 1 && ratio) {
      const a = ratio(byVariant.get(labels[0] as string) as Figures);
      const b = ratio(byVariant.get(labels[1] as string) as Figures);
      r = a !== null && b ? ` | ${(a / b).toFixed(1)}×` : " | —";
    } else if (labels.length > 1) r = " | ";
    console.log(`| ${name} | ${cells.join(" | ")}${r} |`);
  };
  row("start → /readyz", (f) => `${(f.readyMs / 1000).toFixed(1)} s`);
  for (const [label, path] of QUERIES) {
    if (values.only && !label.includes(values.only)) continue;
    row(
      `${label} \`${path.replace(/from=[^&]+&to=[^&]+/, "from=…&to=…")}\`: first / p50 / p99, served`,
      (f) => {
        const x = f.load.get(label);
        if (!x) return "—";
        if (x.status === 0) return `no answer in ${FIRST_TIMEOUT_MS / 1000} s`;
        if (x.status !== 200) return `HTTP ${x.status} (${x.first.toFixed(0)} ms)`;
        return `${x.first.toFixed(0)} / ${x.p50} / ${x.p99} ms, ${x.served} req/s${x.errors ? ` (${x.errors} errors)` : ""}`;
      },
      (f) => f.load.get(label)?.p99 ?? null,
    );
  }
  row(`prune (cleanup of 2 days) beside ${INFLOW} runs/s inserted: deleted/s`, (f) =>
    f.prune
      ? `${(f.prune.deleted / f.prune.seconds).toFixed(0)}/s (${f.prune.deleted} in ${f.prune.seconds.toFixed(1)} s)`
      : "—",
  );
  row("  ticker fires meanwhile: late p50 / p99 / max, fired/expected", (f) =>
    f.prune
      ? `${f.prune.fireDelay.p50 ?? "-"} / ${f.prune.fireDelay.p99 ?? "-"} / ${f.prune.fireDelay.max ?? "-"} ms, ${f.prune.fires}/${f.prune.expectedFires}`
      : "—",
  );
  row("  /readyz probe, worst wait", (f) => (f.prune ? `${f.prune.probeMaxMs.toFixed(0)} ms` : "—"));
  row("  inserts beside it: longest batch, failed batches", (f) =>
    f.prune
      ? `${f.prune.insertStallMs.toFixed(0)} ms, ${f.prune.failedBatches} of ${f.prune.failedBatches + f.prune.inserted / Math.max(1, Math.round(INFLOW / 10))}`
      : "—",
  );
  console.log("");
}

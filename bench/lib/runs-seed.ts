import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { listMigrations, MIGRATIONS_DIRS, migrate, parseDatabaseUrl, taskNameKey, taskSearchText } from "@crondeck/db";
import Sqlite from "better-sqlite3";
import mariadb from "mariadb";

// Seeds tasks and runs for bench/runs-volume.ts at the schema just before the runs-at-volume
// migration, with plain SQL, so the version before it and this one both open the database as
// they find it (this one migrates it at start). Runs: a realistic spread over `days` days before
// `now`: statuses, triggers, retries of failed fires (rootRunId, attempt 2), executors, and
// notifications for some failures (a few undelivered).

export const RUNS_MIGRATION = "20261201020000";
const DAY = 86_400_000;

export const EXECUTORS = ["app-1:101", "app-2:102", "exec-a", "exec-b", "exec-c", "exec-d", "exec-e", "exec-f"];

/** Tasks that fire every second during the bench, to time fires while pruning runs. */
export const TICKERS = 10;

/** A deterministic generator, so both databases hold the same spread. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedRun {
  id: number;
  taskId: number;
  trigger: string;
  scheduledAt: number;
  fireKey: string | null;
  attempt: number;
  rootRunId: number | null;
  status: string;
  startedAt: number | null;
  finishedAt: number;
  durationMs: number;
  exitCode: number | null;
  error: string | null;
  executor: string | null;
}

export interface SeedNotification {
  runId: number;
  ok: boolean;
  at: number;
}

/** Calls `emit` for `runs` runs (ids 1…runs in order of scheduled time) and their notifications. */
export function generateRuns(
  runs: number,
  tasks: number,
  days: number,
  now: number,
  emit: (run: SeedRun) => void,
  notify: (n: SeedNotification) => void,
) {
  const random = rng(42);
  const span = days * DAY - 2 * 3_600_000; // the newest end two hours ago
  let id = 0;
  while (id < runs) {
    id += 1;
    const scheduledAt = Math.floor(now - days * DAY + (span * id) / runs);
    const taskId = 1 + Math.floor(random() * tasks);
    const r = random();
    const status =
      r < 0.85
        ? "SUCCEEDED"
        : r < 0.93
          ? "FAILED"
          : r < 0.95
            ? "TIMED_OUT"
            : r < 0.98
              ? "SKIPPED"
              : r < 0.99
                ? "CANCELED"
                : "LOST";
    const manual = random() < 0.08;
    const skipped = status === "SKIPPED";
    const durationMs = skipped ? 0 : Math.floor(random() * 5000);
    const executor = skipped ? null : (EXECUTORS[Math.floor(random() * EXECUTORS.length)] as string);
    const fireKey = manual ? null : `B${id}`;
    emit({
      id,
      taskId,
      trigger: manual ? "MANUAL" : "SCHEDULE",
      scheduledAt,
      fireKey,
      attempt: 1,
      rootRunId: null,
      status,
      startedAt: skipped ? null : scheduledAt + 3,
      finishedAt: scheduledAt + 3 + durationMs,
      durationMs,
      exitCode: status === "SUCCEEDED" ? 0 : status === "FAILED" ? 1 : null,
      error: status === "SUCCEEDED" ? null : `${status.toLowerCase()} in the bench`,
      executor,
    });
    const root = id;
    if (status === "FAILED" || status === "TIMED_OUT" || status === "LOST") {
      const n = random();
      if (n < 0.05) notify({ runId: root, ok: false, at: scheduledAt + 6000 });
      else if (n < 0.25) notify({ runId: root, ok: true, at: scheduledAt + 6000 });
      if (random() < 0.3 && id < runs && !manual) {
        id += 1;
        const ok = random() < 0.7;
        emit({
          id,
          taskId,
          trigger: "RETRY",
          scheduledAt,
          fireKey,
          attempt: 2,
          rootRunId: root,
          status: ok ? "SUCCEEDED" : "FAILED",
          startedAt: scheduledAt + 60_000,
          finishedAt: scheduledAt + 61_000,
          durationMs: 1000,
          exitCode: ok ? 0 : 1,
          error: ok ? null : "failed in the bench",
          executor,
        });
      }
    }
  }
}

function taskValues(i: number, tasks: number) {
  const ticker = i >= tasks;
  const name = ticker ? `ticker-${i - tasks}` : `volume-${i}`;
  const command = ticker ? "true" : `true --job ${i}`;
  const remark = i % 10 === 0 ? `team ${i % 97}` : "";
  return {
    name,
    nameKey: taskNameKey(name),
    searchText: taskSearchText({ name, modeText: command, remark }),
    // Yearly, so the seeded tasks do not fire during the bench; the tickers every second.
    cron: ticker ? "* * * * * *" : "0 0 1 1 *",
    command,
    remark,
    enabled: ticker || i % 20 !== 0,
  };
}

/** A task's values in the order both databases' INSERT lists its columns (id, name … updatedAt). */
function taskParams(i: number, tasks: number, createdAt: string) {
  const t = taskValues(i, tasks);
  return [i + 1, t.name, t.nameKey, t.searchText, t.cron, t.command, t.enabled ? 1 : 0, t.remark, createdAt, createdAt];
}

const sqliteTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
const mysqlTime = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

const RUN_COLUMNS = [
  "id",
  "taskId",
  "trigger",
  "scheduledAt",
  "fireKey",
  "attempt",
  "rootRunId",
  "status",
  "startedAt",
  "finishedAt",
  "durationMs",
  "exitCode",
  "output",
  "truncated",
  "outputBytes",
  "error",
  "executor",
  "ownerId",
  "matchedKeywords",
  "heartbeatAt",
  "createdAt",
  "updatedAt",
];

function runValues(run: SeedRun, time: (ms: number) => string): unknown[] {
  const finished = time(run.finishedAt);
  return [
    run.id,
    run.taskId,
    run.trigger,
    time(run.scheduledAt),
    run.fireKey,
    run.attempt,
    run.rootRunId,
    run.status,
    run.startedAt === null ? null : time(run.startedAt),
    finished,
    run.durationMs,
    run.exitCode,
    "",
    0,
    0,
    run.error,
    run.executor,
    "bench-seed",
    "[]",
    finished,
    time(run.scheduledAt),
    finished,
  ];
}

async function migrateToBefore(url: string, provider: "sqlite" | "mysql") {
  const before = listMigrations(MIGRATIONS_DIRS[provider])
    .map((m) => m.name)
    .filter((name) => name < RUNS_MIGRATION)
    .at(-1);
  await migrate(parseDatabaseUrl(url), { upTo: before });
}

export interface SeedOptions {
  tasks: number;
  runs: number;
  days: number;
  now: number;
}

/** SQLite: multi-row INSERTs in big transactions through better-sqlite3. */
export async function seedSqlite(file: string, o: SeedOptions): Promise<void> {
  await migrateToBefore(`file:${file}`, "sqlite");
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const createdAt = sqliteTime(o.now - o.days * DAY - DAY);
  const insertTask = db.prepare(
    `INSERT INTO "Task" (id, name, nameKey, searchText, mode, cron, timezone, command, httpHeaders, notifyEmails,
       notifyKeywords, enabled, remark, createdAt, updatedAt) VALUES (?, ?, ?, ?, 'SHELL', ?, 'UTC', ?, '{}', '[]', '[]', ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < o.tasks + TICKERS; i++) {
      insertTask.run(...taskParams(i, o.tasks, createdAt));
    }
  })();
  const ROWS = 200;
  const tuple = `(${RUN_COLUMNS.map(() => "?").join(",")})`;
  const insertRuns = db.prepare(
    `INSERT INTO "Run" (${RUN_COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES ${Array.from({ length: ROWS }, () => tuple).join(",")}`,
  );
  const insertRun = db.prepare(`INSERT INTO "Run" (${RUN_COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES ${tuple}`);
  const insertNote = db.prepare(
    `INSERT INTO "Notification" (runId, channel, target, ok, error, attempts, sentAt, createdAt) VALUES (?, 'WEBHOOK', 'https://hooks.example/x', ?, ?, 1, ?, ?)`,
  );
  let pending: unknown[][] = [];
  const notes: SeedNotification[] = [];
  const flush = () => {
    if (pending.length === ROWS) insertRuns.run(...pending.flat());
    else for (const row of pending) insertRun.run(...row);
    pending = [];
  };
  db.exec("BEGIN");
  let n = 0;
  generateRuns(
    o.runs,
    o.tasks,
    o.days,
    o.now,
    (run) => {
      pending.push(runValues(run, sqliteTime));
      if (pending.length === ROWS) flush();
      if (++n % 500_000 === 0) {
        db.exec("COMMIT");
        db.exec("BEGIN");
      }
    },
    (note) => notes.push(note),
  );
  flush();
  for (const note of notes) {
    const at = sqliteTime(note.at);
    insertNote.run(note.runId, note.ok ? 1 : 0, note.ok ? null : "HTTP 500", at, at);
  }
  db.exec("COMMIT");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** MariaDB: LOAD DATA LOCAL INFILE from a tab-separated file. */
export async function seedMysql(url: string, o: SeedOptions, tmpFile: string): Promise<void> {
  await migrateToBefore(url, "mysql");
  const target = new URL(url);
  const conn = await mariadb.createConnection({
    host: target.hostname,
    port: Number(target.port || 3306),
    user: decodeURIComponent(target.username) || "root",
    password: decodeURIComponent(target.password),
    database: target.pathname.slice(1),
    permitLocalInfile: true,
  });
  try {
    const createdAt = mysqlTime(o.now - o.days * DAY - DAY);
    const taskRows = Array.from({ length: o.tasks + TICKERS }, (_, i) => taskParams(i, o.tasks, createdAt));
    for (let i = 0; i < taskRows.length; i += 5000) {
      const part = taskRows.slice(i, i + 5000);
      await conn.query(
        `INSERT INTO \`Task\` (id, name, nameKey, searchText, mode, cron, timezone, command, httpHeaders, notifyEmails,
           notifyKeywords, enabled, remark, createdAt, updatedAt) VALUES ${part.map(() => "(?, ?, ?, ?, 'SHELL', ?, 'UTC', ?, '{}', '[]', '[]', ?, ?, ?, ?)").join(",")}`,
        part.flat(),
      );
    }
    // Files of FILE_ROWS rows: the driver sends a file in packets no larger than the server's
    // max_allowed_packet only up to a point (a 45 MB file resets the connection).
    const FILE_ROWS = 40_000;
    const field = (v: unknown) => (v === null ? "\\N" : String(v));
    const notes: SeedNotification[] = [];
    let chunk: string[] = [];
    const files: string[] = [];
    const spill = () => {
      if (chunk.length === 0) return;
      const file = `${tmpFile}.${files.length}`;
      const fd = openSync(file, "w");
      writeSync(fd, `${chunk.join("\n")}\n`);
      closeSync(fd);
      files.push(file);
      chunk = [];
    };
    await conn.query("SET foreign_key_checks = 0, unique_checks = 0");
    // The secondary indexes are built once after the load (sorted, fast) instead of kept row by row
    // through a small buffer pool; the unique key stays (the foreign key needs an index on taskId).
    const later = (await conn.query(
      "SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'Run' AND NON_UNIQUE = 1",
    )) as Array<{ name: string }>;
    const columns = new Map<string, string[]>();
    for (const { name } of later) {
      const cols = (await conn.query(
        "SELECT COLUMN_NAME AS col FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'Run' AND INDEX_NAME = ? ORDER BY SEQ_IN_INDEX",
        [name],
      )) as Array<{ col: string }>;
      columns.set(
        name,
        cols.map((c) => c.col),
      );
    }
    if (columns.size > 0)
      await conn.query(`ALTER TABLE \`Run\` ${[...columns.keys()].map((n) => `DROP INDEX \`${n}\``).join(", ")}`);
    let loading = Promise.resolve();
    const load = (file: string) => {
      loading = loading.then(async () => {
        await conn.query(
          `LOAD DATA LOCAL INFILE '${file}' INTO TABLE \`Run\` FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${RUN_COLUMNS.map((c) => `\`${c}\``).join(",")})`,
        );
        rmSync(file, { force: true });
      });
    };
    generateRuns(
      o.runs,
      o.tasks,
      o.days,
      o.now,
      (run) => {
        chunk.push(runValues(run, mysqlTime).map(field).join("\t"));
        if (chunk.length === FILE_ROWS) {
          spill();
          load(files.at(-1) as string);
        }
      },
      (note) => notes.push(note),
    );
    const spilled = files.length;
    spill();
    if (files.length > spilled) load(files.at(-1) as string);
    await loading;
    if (columns.size > 0)
      await conn.query(
        `ALTER TABLE \`Run\` ${[...columns].map(([n, cols]) => `ADD INDEX \`${n}\` (${cols.map((c) => `\`${c}\``).join(", ")})`).join(", ")}`,
      );
    for (let i = 0; i < notes.length; i += 5000) {
      const part = notes.slice(i, i + 5000);
      await conn.query(
        `INSERT INTO \`Notification\` (runId, channel, target, ok, error, attempts, sentAt, createdAt) VALUES ${part.map(() => "(?, 'WEBHOOK', 'https://hooks.example/x', ?, ?, 1, ?, ?)").join(",")}`,
        part.flatMap((n) => [n.runId, n.ok ? 1 : 0, n.ok ? null : "HTTP 500", mysqlTime(n.at), mysqlTime(n.at)]),
      );
    }
    await conn.query("SET foreign_key_checks = 1, unique_checks = 1");
  } finally {
    await conn.end();
  }
}

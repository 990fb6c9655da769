import { readFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JS build script
import { deriveSqliteSchema } from "../scripts/generate.mjs";
import {
  listMigrations,
  MIGRATIONS_DIRS,
  migrate,
  openDatabase,
  parseDatabaseUrl,
  taskNameKey,
  taskSearchText,
} from "../src/index.ts";
import { createTestDatabase, mysqlQuery, type TestDatabase, testProviders } from "../src/testing.ts";

const root = join(import.meta.dirname, "../../..");
const NAME_KEY_MIGRATION = "20261201000300_task_name_key";
const SEARCH_TEXT_MIGRATION = "20261201010000_task_list_search_sort";
const SETTINGS_MIGRATION = "20261201040000_task_settings_json";
const ENV_MIGRATION = "20261201050000_task_env_secrets";
const LAST_RUN_MIGRATION = "20261201020000_runs_at_volume";
const VERSIONS_MIGRATION = "20261201090000_task_versions";
/** Covering indexes the SQLite migrations add for the task list (see that migration); not in the schema. */
const SQLITE_ONLY_INDEXES = ["Task_searchText_idx", "Task_id_idx"];
const providers = await testProviders();

// --- What the Prisma schema says the database must hold -------------------------------------

interface ExpectedColumn {
  name: string;
  type: string;
  nullable: boolean;
}
interface ExpectedModel {
  name: string;
  columns: ExpectedColumn[];
  /** Index name → [unique, columns]. Prisma names them Model_col_key / Model_col_idx. */
  indexes: Map<string, { unique: boolean; columns: string[] }>;
  foreignKeys: Array<{ column: string; references: string; onDelete: string }>;
}

/** A small reader for the subset of Prisma schema language this project uses. */
function readPrismaSchema(source: string, provider: "mysql" | "sqlite"): ExpectedModel[] {
  const models: ExpectedModel[] = [];
  const modelNames = new Set([...source.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]));
  for (const match of source.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, name, body] = match as unknown as [string, string, string];
    const model: ExpectedModel = { name, columns: [], indexes: new Map(), foreignKeys: [] };
    for (const raw of body.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (!line) continue;
      const block = line.match(/^@@(unique|index)\(\[([^\]]+)\]\)/);
      if (block) {
        const cols = (block[2] as string).split(",").map((c) => c.trim().replace(/\(.*\)$/, ""));
        const unique = block[1] === "unique";
        model.indexes.set(`${name}_${cols.join("_")}_${unique ? "key" : "idx"}`, { unique, columns: cols });
        continue;
      }
      const field = line.match(/^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/);
      if (!field) continue;
      const [, fieldName, type, modifier, attrs] = field as unknown as [
        string,
        string,
        string,
        string | undefined,
        string,
      ];
      if (modifier === "[]") continue;
      const relation = attrs.match(
        /@relation\((?:"\w+", )?fields: \[(\w+)\], references: \[(\w+)\](?:, onDelete: (\w+))?\)/,
      );
      if (relation) {
        model.foreignKeys.push({
          column: relation[1] as string,
          references: `${type}.${relation[2]}`,
          onDelete: (relation[3] ?? "Restrict").toUpperCase(),
        });
        continue;
      }
      // The other side of a one-to-one relation (e.g. Run.fullOutput): no column of its own.
      if (modelNames.has(type)) continue;
      if (attrs.includes("@unique")) {
        model.indexes.set(`${name}_${fieldName}_key`, { unique: true, columns: [fieldName] });
      }
      model.columns.push({ name: fieldName, type: columnType(type, attrs, provider), nullable: modifier === "?" });
    }
    models.push(model);
  }
  return models;
}

function columnType(type: string, attrs: string, provider: "mysql" | "sqlite"): string {
  if (provider === "sqlite") {
    return (
      { Int: "INTEGER", BigInt: "BIGINT", String: "TEXT", Boolean: "BOOLEAN", DateTime: "DATETIME", Bytes: "BLOB" }[
        type
      ] ?? type
    );
  }
  const native = attrs.match(/@db\.(\w+)(?:\((\d+)\))?/);
  if (native) {
    const [, kind, size] = native as unknown as [string, string, string?];
    return `${kind.toLowerCase()}${size ? `(${size})` : ""}`;
  }
  return (
    { Int: "int(11)", BigInt: "bigint(20)", String: "varchar(191)", Boolean: "tinyint(1)", DateTime: "datetime(3)" }[
      type
    ] ?? type
  );
}

// --- What the migrated database holds ---------------------------------------------------------

async function actualModel(db: TestDatabase, table: string): Promise<Omit<ExpectedModel, "name">> {
  if (db.provider === "sqlite") {
    const conn = new Sqlite(parseDatabaseUrl(db.url).provider === "sqlite" ? db.url.slice(5) : "");
    try {
      const columns = (
        conn.prepare(`PRAGMA table_info("${table}")`).all() as Array<{
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }>
      ).map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0 }));
      const indexes = new Map<string, { unique: boolean; columns: string[] }>();
      for (const idx of conn.prepare(`PRAGMA index_list("${table}")`).all() as Array<{
        name: string;
        unique: number;
        origin: string;
      }>) {
        if (idx.origin === "pk") continue;
        const cols = (conn.prepare(`PRAGMA index_info("${idx.name}")`).all() as Array<{ name: string }>).map(
          (c) => c.name,
        );
        indexes.set(idx.name, { unique: idx.unique === 1, columns: cols });
      }
      const foreignKeys = (
        conn.prepare(`PRAGMA foreign_key_list("${table}")`).all() as Array<{
          from: string;
          table: string;
          to: string;
          on_delete: string;
        }>
      ).map((fk) => ({ column: fk.from, references: `${fk.table}.${fk.to}`, onDelete: fk.on_delete.toUpperCase() }));
      return { columns, indexes, foreignKeys };
    } finally {
      conn.close();
    }
  }
  const name = db.url.split("/").pop() as string;
  const cols = await mysqlQuery<Array<{ COLUMN_NAME: string; COLUMN_TYPE: string; IS_NULLABLE: string }>>(
    name,
    "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    [table],
  );
  const stats = await mysqlQuery<Array<{ INDEX_NAME: string; NON_UNIQUE: number | bigint; COLUMN_NAME: string }>>(
    name,
    "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX",
    [table],
  );
  const fks = await mysqlQuery<
    Array<{ COLUMN_NAME: string; REFERENCED_TABLE_NAME: string; REFERENCED_COLUMN_NAME: string; DELETE_RULE: string }>
  >(
    name,
    `SELECT k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
      WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL`,
    [table],
  );
  const indexes = new Map<string, { unique: boolean; columns: string[] }>();
  for (const s of stats) {
    // Ignore indexes InnoDB adds by itself to back a foreign key.
    const entry = indexes.get(s.INDEX_NAME) ?? { unique: Number(s.NON_UNIQUE) === 0, columns: [] };
    entry.columns.push(s.COLUMN_NAME);
    indexes.set(s.INDEX_NAME, entry);
  }
  return {
    columns: cols.map((c) => ({ name: c.COLUMN_NAME, type: c.COLUMN_TYPE, nullable: c.IS_NULLABLE === "YES" })),
    indexes,
    foreignKeys: fks.map((fk) => ({
      column: fk.COLUMN_NAME,
      references: `${fk.REFERENCED_TABLE_NAME}.${fk.REFERENCED_COLUMN_NAME}`,
      onDelete: fk.DELETE_RULE.replace(" ", ""),
    })),
  };
}

async function appliedMigrations(db: TestDatabase): Promise<string[]> {
  if (db.provider === "sqlite") {
    const conn = new Sqlite(db.url.slice(5));
    try {
      return (
        conn
          .prepare(
            "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
          )
          .all() as Array<{ migration_name: string }>
      ).map((r) => r.migration_name);
    } finally {
      conn.close();
    }
  }
  const rows = await mysqlQuery<Array<{ migration_name: string }>>(
    db.url.split("/").pop() as string,
    "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
  );
  return rows.map((r) => r.migration_name);
}

// --- Tests ------------------------------------------------------------------------------------

const created: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(created.map((db) => db.drop()));
});

function fresh(provider: "sqlite" | "mysql"): TestDatabase {
  const db = createTestDatabase(provider);
  created.push(db);
  return db;
}

it("keeps the SQLite schema derived from the MySQL one", () => {
  const mysql = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
  const sqlite = readFileSync(join(root, "prisma/sqlite/schema.prisma"), "utf8");
  expect(sqlite).toBe(deriveSqliteSchema(mysql));
});

it("has the same migrations for both databases", () => {
  expect(listMigrations(MIGRATIONS_DIRS.sqlite).map((m) => m.name)).toEqual(
    listMigrations(MIGRATIONS_DIRS.mysql).map((m) => m.name),
  );
});

describe.each(providers)("migrations on %s", (provider) => {
  const schemaFile = provider === "mysql" ? "prisma/schema.prisma" : "prisma/sqlite/schema.prisma";
  const expected = readPrismaSchema(readFileSync(join(root, schemaFile), "utf8"), provider);
  const all = listMigrations(MIGRATIONS_DIRS[provider]).map((m) => m.name);
  const providerOnly = provider === "sqlite" ? SQLITE_ONLY_INDEXES : [];

  it("brings a fresh database to the Prisma schema, and a second start changes nothing", async () => {
    const db = fresh(provider);
    expect((await migrate(parseDatabaseUrl(db.url))).applied).toEqual(all);
    expect((await migrate(parseDatabaseUrl(db.url))).applied).toEqual([]);
    expect(await appliedMigrations(db)).toEqual(all);

    expect(expected.map((m) => m.name).sort()).toEqual([
      "ApiToken",
      "AuditEntry",
      "Executor",
      "LoginAttempt",
      "Notification",
      "Run",
      "RunOutput",
      "Secret",
      "Session",
      "Task",
      "TaskDependency",
      "TaskTag",
      "TaskVersion",
      "User",
    ]);
    for (const model of expected) {
      const actual = await actualModel(db, model.name);
      // Column order is not compared: ALTER TABLE appends, while the schema lists fields by meaning.
      const byName = (a: ExpectedColumn, b: ExpectedColumn) => a.name.localeCompare(b.name);
      expect([...actual.columns].sort(byName), `${model.name} columns`).toEqual([...model.columns].sort(byName));
      for (const [name, index] of model.indexes) {
        expect(actual.indexes.get(name), `${model.name} index ${name}`).toEqual(index);
      }
      for (const name of providerOnly.filter((n) => n.startsWith(`${model.name}_`))) {
        expect(actual.indexes.has(name), name).toBe(true);
      }
      const extra = [...actual.indexes.keys()].filter(
        (name) => !model.indexes.has(name) && !name.endsWith("_fkey") && !providerOnly.includes(name),
      );
      expect(extra, `${model.name} indexes not in the Prisma schema`).toEqual([]);
      expect(actual.foreignKeys, `${model.name} foreign keys`).toEqual(model.foreignKeys);
    }
  });

  /** Inserts a task row with plain SQL, as a database at that migration would hold it. */
  async function insertOldTask(db: TestDatabase, name: string, atMigration: string, command = "true") {
    // Every task needs a nameKey from that migration on; the app computes it (taskNameKey).
    const withKey = atMigration >= NAME_KEY_MIGRATION;
    const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
    // From the settings migration on, a mode's fields are one JSON value.
    const modeColumns =
      atMigration >= SETTINGS_MIGRATION ? "modeSettings, notifySettings" : "command, httpHeaders, notifyEmails";
    const modeValues =
      atMigration >= SETTINGS_MIGRATION
        ? `${quote(JSON.stringify({ command }))}, '{}'`
        : `${quote(command)}, '{}', '[]'`;
    // From the search migration on, MySQL has no default for searchText (the app always writes it).
    const withSearch = atMigration >= SEARCH_TEXT_MIGRATION;
    const search = taskSearchText({ name, modeText: command, remark: "" });
    // From the env migration on, MySQL has no default for env either.
    const withEnv = atMigration >= ENV_MIGRATION;
    const columns = `name, ${withKey ? "nameKey, " : ""}mode, cron, timezone, ${modeColumns}, notifyKeywords, ${withSearch ? "searchText, " : ""}${withEnv ? "env, " : ""}updatedAt`;
    const values = `${quote(name)}, ${withKey ? `${quote(taskNameKey(name))}, ` : ""}'SHELL', '* * * * *', 'UTC', ${modeValues}, '[]'${withSearch ? `, ${quote(search)}` : ""}${withEnv ? `, '{"A":"b"}'` : ""}`;
    const target = parseDatabaseUrl(db.url);
    if (target.provider === "sqlite") {
      const conn = new Sqlite(target.file);
      conn.prepare(`INSERT INTO "Task" (${columns}) VALUES (${values}, CURRENT_TIMESTAMP)`).run();
      conn.close();
    } else {
      await mysqlQuery(target.database, `INSERT INTO \`Task\` (${columns}) VALUES (${values}, NOW(3))`);
    }
  }

  /** The search text the app writes for a SHELL task: its command is what its mode searches. */
  function searchTextOf(task: { name: string; modeSettings: string; remark: string }): string {
    return taskSearchText({
      name: task.name,
      remark: task.remark,
      modeText: (JSON.parse(task.modeSettings) as { command: string }).command,
    });
  }

  it("moves each mode's and channel's columns into one JSON value per task, secrets and Unicode intact", async () => {
    const db = fresh(provider);
    const before = all[all.indexOf(SETTINGS_MIGRATION) - 1] as string;
    await migrate(parseDatabaseUrl(db.url), { upTo: before });
    const quote = (value: string | null) => (value === null ? "NULL" : `'${value.replace(/'/g, "''")}'`);
    const rows: Array<Record<string, string | null>> = [
      {
        name: "shell 备份",
        mode: "SHELL",
        httpMethod: null,
        command: "echo '🎉 \"quoted\"' && exit 0",
        httpHeaders: "{}",
        httpBody: null,
        notifyEmails: '["ops@example.com","值班@example.cn"]',
        notifyWebhookUrl: null,
        notifyWebhookFormat: null,
        notifyWebhookSecret: null,
      },
      {
        name: "http hook",
        mode: "HTTP",
        httpMethod: "POST",
        command: "https://api.example.com/x?y=1",
        httpHeaders: '{"Authorization":"Bearer s3cret","X-名":"值"}',
        httpBody: '{"a":[1,2]}',
        notifyEmails: "[]",
        notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=tok",
        notifyWebhookFormat: "DINGTALK",
        notifyWebhookSecret: "SECsign",
      },
    ];
    const target = parseDatabaseUrl(db.url);
    for (const row of rows) {
      const columns = [...Object.keys(row), "nameKey", "cron", "timezone", "notifyKeywords", "searchText"];
      const values = [
        ...Object.values(row).map(quote),
        quote(taskNameKey(row.name as string)),
        "'* * * * *'",
        "'UTC'",
        "'[]'",
        "''",
      ];
      const sql = `INSERT INTO Task (${columns.join(", ")}, updatedAt) VALUES (${values.join(", ")}, `;
      if (target.provider === "sqlite") {
        const conn = new Sqlite(target.file);
        conn.prepare(`${sql}CURRENT_TIMESTAMP)`).run();
        conn.close();
      } else await mysqlQuery(target.database, `${sql}NOW(3))`);
    }
    await migrate(target);
    const database = await openDatabase(db.url);
    try {
      const [shell, http] = await database.db.task.findMany({ orderBy: { id: "asc" } });
      expect(JSON.parse(shell?.modeSettings ?? "")).toEqual({ command: "echo '🎉 \"quoted\"' && exit 0" });
      expect(JSON.parse(http?.modeSettings ?? "")).toEqual({
        command: "https://api.example.com/x?y=1",
        httpMethod: "POST",
        httpHeaders: { Authorization: "Bearer s3cret", "X-名": "值" },
        httpBody: '{"a":[1,2]}',
      });
      expect(JSON.parse(shell?.notifySettings ?? "")).toEqual({
        EMAIL: { notifyEmails: ["ops@example.com", "值班@example.cn"] },
        WEBHOOK: { notifyWebhookUrl: null, notifyWebhookFormat: null, notifyWebhookSecret: null },
      });
      expect(JSON.parse(http?.notifySettings ?? "")).toEqual({
        EMAIL: { notifyEmails: [] },
        WEBHOOK: {
          notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=tok",
          notifyWebhookFormat: "DINGTALK",
          notifyWebhookSecret: "SECsign",
        },
      });
    } finally {
      await database.close();
    }
  });

  it("upgrades a database that is at the previous migration", async () => {
    const db = fresh(provider);
    const previous = all[all.length - 2] as string;
    expect((await migrate(parseDatabaseUrl(db.url), { upTo: previous })).applied).toEqual(all.slice(0, -1));
    // A task written by the old schema survives the upgrade and gets the new columns' defaults.
    await insertOldTask(db, "old", previous);
    expect((await migrate(parseDatabaseUrl(db.url))).applied).toEqual(all.slice(-1));
    expect(await appliedMigrations(db)).toEqual(all);
    const database = await openDatabase(db.url);
    try {
      const task = await database.db.task.findUniqueOrThrow({ where: { nameKey: "old" } });
      expect(task.misfirePolicy).toBe("SKIP");
      expect(task.misfireGraceSeconds).toBe(3600);
      // Tasks from before notification languages follow the server's default.
      expect(task.notifyLanguage).toBeNull();
      if (previous < SEARCH_TEXT_MIGRATION) expect(task.searchText).toBe(searchTextOf(task));
    } finally {
      await database.close();
    }
  });

  /**
   * Stores tasks ([name, command]) as the database was just before `migration`, migrates it to the
   * latest and opens it; the rows come back in insertion order.
   */
  async function upgradedWith(migration: string, tasks: Array<[string, string?]>) {
    const db = fresh(provider);
    const before = all[all.indexOf(migration) - 1] as string;
    await migrate(parseDatabaseUrl(db.url), { upTo: before });
    for (const [name, command] of tasks) await insertOldTask(db, name, before, command);
    await migrate(parseDatabaseUrl(db.url));
    const database = await openDatabase(db.url);
    const rows = await database.db.task.findMany({ orderBy: { id: "asc" } });
    return { database, rows };
  }

  it("gives every task stored before the edit history its state as version 1, by system, at its last edit", async () => {
    const { database, rows } = await upgradedWith(VERSIONS_MIGRATION, [
      ["Old 备份 'q'", 'echo "🎉" && exit 0'],
      ["two"],
    ]);
    try {
      const versions = await database.db.taskVersion.findMany({ orderBy: { taskId: "asc" } });
      expect(versions.map((v) => [v.taskId, v.version, v.action, v.actorName, v.actorId])).toEqual(
        rows.map((r) => [r.id, 1, "create", "system", null]),
      );
      for (const [i, row] of rows.entries()) {
        const version = versions[i];
        expect(version?.createdAt.getTime()).toBe(row.updatedAt.getTime());
        const snapshot = JSON.parse(version?.snapshot ?? "{}") as Record<string, unknown>;
        // Every editable column, as stored (a boolean comes as 0/1 from SQL; the app reads it by the column's type).
        const {
          id,
          nameKey,
          createdAt,
          updatedAt,
          searchText,
          nextRunAtMs,
          lastRunId,
          lastRunStatus,
          lastRunFinishedAt,
          // Added after the edit history: a revert to version 1 keeps its current value.
          notifyLanguage,
          ...editable
        } = row;
        expect({
          ...snapshot,
          enabled: Boolean(snapshot.enabled),
          dependsOnAll: Boolean(snapshot.dependsOnAll),
        }).toEqual({ ...editable, dependsOn: [] });
      }
    } finally {
      await database.close();
    }
  });

  it("gives tasks stored before the task list searched the database a search text that folds ASCII case only", async () => {
    const { database, rows } = await upgradedWith(SEARCH_TEXT_MIGRATION, [
      ["Old CAFÉ", "Echo 'ÄÖ' | GREP 100% _x"],
      ["İstanbul 🚀"],
    ]);
    try {
      expect(rows.map((r) => r.searchText)).toEqual(["old cafÉ\necho 'ÄÖ' | grep 100% _x\n", "İstanbul 🚀\ntrue\n"]);
      expect(rows.map((r) => r.searchText)).toEqual(rows.map(searchTextOf));
      expect(rows.map((r) => r.nextRunAtMs)).toEqual([null, null]);
      if (provider === "sqlite") {
        // The trigram index the SQLite migration builds holds the existing rows too.
        const hits = await database.db.$queryRawUnsafe<Array<{ id: number | bigint }>>(
          `SELECT rowid AS id FROM "Task_search" WHERE "Task_search" MATCH '"grep 100%"'`,
        );
        expect(hits.map((h) => Number(h.id))).toEqual([rows[0]?.id]);
      }
    } finally {
      await database.close();
    }
  });

  it("gives tasks with runs from before last results were kept their newest ended attempt that is not SKIPPED", async () => {
    const db = fresh(provider);
    const before = all[all.indexOf(LAST_RUN_MIGRATION) - 1] as string;
    await migrate(parseDatabaseUrl(db.url), { upTo: before });
    for (const name of ["ran", "skipped-last", "never", "running"]) await insertOldTask(db, name, before);
    const target = parseDatabaseUrl(db.url);
    // [task id, status, finishedAt]: ids are given in insertion order, so the last row per task is its newest.
    const runs: Array<[number, string, string | null]> = [
      [1, "SUCCEEDED", "2026-11-01 10:00:00.000"],
      [1, "FAILED", "2026-11-02 10:00:00.000"],
      [2, "TIMED_OUT", "2026-11-03 10:00:00.000"],
      [2, "SKIPPED", "2026-11-04 10:00:00.000"],
      [4, "LOST", "2026-11-05 10:00:00.000"],
      [4, "RUNNING", null],
    ];
    for (const [taskId, status, finishedAt] of runs) {
      const sql = `INSERT INTO \`Run\` (\`taskId\`, \`trigger\`, \`scheduledAt\`, \`status\`, \`finishedAt\`, \`output\`, \`matchedKeywords\`, \`updatedAt\`) VALUES (${taskId}, 'MANUAL', '2026-11-01 09:00:00.000', '${status}', ${finishedAt ? `'${finishedAt}'` : "NULL"}, '', '[]', '2026-11-01 09:00:00.000')`;
      if (target.provider === "sqlite") {
        const conn = new Sqlite(target.file);
        conn.prepare(sql).run();
        conn.close();
      } else {
        await mysqlQuery(target.database, sql);
      }
    }
    await migrate(parseDatabaseUrl(db.url));
    const database = await openDatabase(db.url);
    try {
      const tasks = await database.db.task.findMany({ orderBy: { id: "asc" } });
      expect(tasks.map((t) => [t.name, t.lastRunId, t.lastRunStatus])).toEqual([
        ["ran", 2, "FAILED"],
        ["skipped-last", 3, "TIMED_OUT"],
        ["never", null, null],
        ["running", 5, "LOST"],
      ]);
      if (provider === "mysql") expect(tasks[0]?.lastRunFinishedAt?.toISOString()).toBe("2026-11-02T10:00:00.000Z");
      else expect(tasks[0]?.lastRunFinishedAt).not.toBeNull();
    } finally {
      await database.close();
    }
  });

  it("gives tasks stored before names were keyed a key that folds ASCII case only", async () => {
    const names = ["Old CAFÉ", "Straße", "BACKUP 🚀 Nightly", "İstanbul Z"];
    const { database, rows } = await upgradedWith(
      NAME_KEY_MIGRATION,
      names.map((name) => [name]),
    );
    try {
      expect(rows.map((r) => [r.name, r.nameKey])).toEqual([
        ["Old CAFÉ", "old cafÉ"],
        ["Straße", "straße"],
        ["BACKUP 🚀 Nightly", "backup 🚀 nightly"],
        ["İstanbul Z", "İstanbul z"],
      ]);
      expect(rows.map((r) => r.nameKey)).toEqual(names.map(taskNameKey));
    } finally {
      await database.close();
    }
  });

  it("lets concurrent start-ups migrate once", async () => {
    const db = fresh(provider);
    const results = await Promise.all([1, 2, 3].map(() => migrate(parseDatabaseUrl(db.url))));
    expect(results.flatMap((r) => r.applied).sort()).toEqual([...all].sort());
    expect(await appliedMigrations(db)).toEqual(all);
  });

  it("refuses to run over a migration that was edited after it was applied", async () => {
    const db = fresh(provider);
    await migrate(parseDatabaseUrl(db.url));
    const first = all[0] as string;
    if (provider === "sqlite") {
      const conn = new Sqlite(db.url.slice(5));
      conn.prepare("UPDATE _prisma_migrations SET checksum = 'x' WHERE migration_name = ?").run(first);
      conn.close();
    } else {
      await mysqlQuery(
        db.url.split("/").pop() as string,
        "UPDATE _prisma_migrations SET checksum = 'x' WHERE migration_name = ?",
        [first],
      );
    }
    await expect(migrate(parseDatabaseUrl(db.url))).rejects.toThrow(/changed after it was applied/);
  });

  it("stores emoji and other 4-byte characters intact", async () => {
    const db = fresh(provider);
    const database = await openDatabase(db.url);
    try {
      const name = "备份 🚀 emoji";
      const task = await database.db.task.create({
        data: {
          name,
          nameKey: name,
          mode: "SHELL",
          modeSettings: JSON.stringify({ command: "echo '🎉 完成'" }),
          cron: "* * * * *",
          timezone: "UTC",
          searchText: taskSearchText({ name, modeText: "echo '🎉 完成'", remark: "" }),
          notifySettings: "{}",
          notifyKeywords: "[]",
          env: "{}",
        },
      });
      const run = await database.db.run.create({
        data: {
          taskId: task.id,
          trigger: "MANUAL",
          scheduledAt: new Date(),
          status: "SUCCEEDED",
          output: "🎉 完成\n",
          matchedKeywords: "[]",
        },
      });
      const stored = await database.db.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(JSON.parse(stored.modeSettings).command).toBe("echo '🎉 完成'");
      expect((await database.db.run.findUniqueOrThrow({ where: { id: run.id } })).output).toBe("🎉 完成\n");
      expect((await database.db.task.findUniqueOrThrow({ where: { id: task.id } })).name).toBe(name);
    } finally {
      await database.close();
    }
  });
});

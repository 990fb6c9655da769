import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import * as mariadb from "mariadb";
import { type DatabaseTarget, ensureSqliteDir, type MysqlTarget, type SqliteTarget } from "./url.ts";

// The Prisma CLI cannot migrate on machines that cannot download its schema engine, so the app
// applies the hand-written migration SQL itself, in Prisma's folder layout, and records each one in
// `_prisma_migrations` exactly as `prisma migrate deploy` would (same table, sha256 checksums), so
// either tool can take over a database the other started.

// This file runs as packages/db/src/migrate.ts, or as packages/db/dist/src/migrate.js once built.
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = basename(dirname(here)) === "dist" ? join(here, "../..") : join(here, "..");
const prismaRoot = join(packageDir, "../../prisma");
export const MIGRATIONS_DIRS = {
  mysql: join(prismaRoot, "migrations"),
  sqlite: join(prismaRoot, "sqlite/migrations"),
} as const;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
}

export interface MigrateOptions {
  /** Apply only migrations whose name sorts at or before this one (tests of upgrade paths). */
  upTo?: string;
}

export function listMigrations(dir: string, options: MigrateOptions = {}): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .filter((name) => options.upTo === undefined || name <= options.upTo)
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Refuses to go on over a migration that failed or was edited after it was applied. */
function pending(migrations: Migration[], applied: AppliedRow[]): Migration[] {
  const byName = new Map(applied.filter((row) => row.rolled_back_at == null).map((row) => [row.migration_name, row]));
  for (const row of byName.values()) {
    if (row.finished_at == null) {
      throw new Error(
        `migration ${row.migration_name} failed earlier and was not rolled back; fix the database by hand, then mark it rolled back in _prisma_migrations`,
      );
    }
  }
  return migrations.filter((migration) => {
    const row = byName.get(migration.name);
    if (!row) return true;
    if (row.checksum !== migration.checksum) {
      throw new Error(`migration ${migration.name} was changed after it was applied (checksum differs)`);
    }
    return false;
  });
}

export async function migrate(target: DatabaseTarget, options: MigrateOptions = {}): Promise<MigrateResult> {
  return target.provider === "mysql" ? migrateMysql(target, options) : migrateSqlite(target, options);
}

async function migrateMysql(target: MysqlTarget, options: MigrateOptions): Promise<MigrateResult> {
  const conn = await mariadb.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    multipleStatements: true,
    charset: "utf8mb4",
  });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${target.database.replace(/`/g, "``")}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    await conn.query(`USE \`${target.database.replace(/`/g, "``")}\``);
    // Several app instances may start at once against one database: one migrates, the rest wait.
    const [lock] = await conn.query("SELECT GET_LOCK('crondeck_migrate', 120) AS ok");
    if (Number(lock.ok) !== 1) throw new Error("timed out waiting for another instance to finish migrating");
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
        id VARCHAR(36) NOT NULL PRIMARY KEY,
        checksum VARCHAR(64) NOT NULL,
        finished_at DATETIME(3) NULL,
        migration_name VARCHAR(255) NOT NULL,
        logs TEXT NULL,
        rolled_back_at DATETIME(3) NULL,
        started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0
      ) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      const applied: AppliedRow[] = await conn.query(
        "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations",
      );
      const todo = pending(listMigrations(MIGRATIONS_DIRS.mysql, options), applied);
      for (const migration of todo) {
        const id = randomUUID();
        await conn.query(
          "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, NOW(3), 0)",
          [id, migration.checksum, migration.name],
        );
        try {
          // MySQL commits DDL statement by statement, so a failure is recorded rather than undone.
          await conn.query(migration.sql);
        } catch (err) {
          await conn.query("UPDATE _prisma_migrations SET logs = ? WHERE id = ?", [(err as Error).message, id]);
          throw new Error(`migration ${migration.name} failed: ${(err as Error).message}`);
        }
        await conn.query("UPDATE _prisma_migrations SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?", [
          id,
        ]);
      }
      return { applied: todo.map((migration) => migration.name) };
    } finally {
      await conn.query("SELECT RELEASE_LOCK('crondeck_migrate')");
    }
  } finally {
    await conn.end();
  }
}

function migrateSqlite(target: SqliteTarget, options: MigrateOptions): MigrateResult {
  ensureSqliteDir(target);
  const db = new Sqlite(target.file, { timeout: 30_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const migrations = listMigrations(MIGRATIONS_DIRS.sqlite, options);
    const applied: string[] = [];
    // One immediate transaction for all of it: SQLite DDL is transactional, so a failed migration
    // leaves nothing behind, and a second process starting at once waits instead of racing.
    db.transaction(() => {
      const rows = db
        .prepare("SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations")
        .all() as AppliedRow[];
      for (const migration of pending(migrations, rows)) {
        db.exec(migration.sql);
        const now = Date.now();
        db.prepare(
          "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)",
        ).run(randomUUID(), migration.checksum, migration.name, now, now);
        applied.push(migration.name);
      }
    }).immediate();
    return { applied };
  } finally {
    db.close();
  }
}

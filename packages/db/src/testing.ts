import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mariadb from "mariadb";

// Real databases for tests and benchmarks: a fresh SQLite file, and a fresh database on the
// MySQL/MariaDB server named by MYSQL_TEST_URL (default: the local server as root). Under CI=true
// a MySQL server that doesn't answer fails the run; elsewhere its suites are skipped, loudly.

export interface TestDatabase {
  provider: "sqlite" | "mysql";
  url: string;
  drop(): Promise<void>;
}

const MYSQL_TEST_URL = process.env.MYSQL_TEST_URL || "mysql://root@127.0.0.1:3306";

function serverOptions() {
  const url = new URL(MYSQL_TEST_URL);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username) || "root",
    password: decodeURIComponent(url.password),
  };
}

let mysqlAvailable: Promise<boolean> | undefined;

/** Whether the MySQL test server answers; throws under CI=true when it doesn't. */
export function mysqlReachable(): Promise<boolean> {
  mysqlAvailable ??= (async () => {
    try {
      const conn = await mariadb.createConnection({ ...serverOptions(), connectTimeout: 3000 });
      await conn.end();
      return true;
    } catch (err) {
      const message = `MySQL test server at ${MYSQL_TEST_URL.replace(/:[^:@/]*@/, ":***@")} is unreachable: ${(err as Error).message}`;
      if (process.env.CI === "true") throw new Error(`${message} (required when CI=true)`);
      console.warn(`SKIPPING MySQL suites: ${message}`);
      return false;
    }
  })();
  return mysqlAvailable;
}

export function createSqliteDatabase(): TestDatabase {
  const file = join(tmpdir(), `crondeck-test-${randomBytes(6).toString("hex")}.db`);
  return {
    provider: "sqlite",
    url: `file:${file}`,
    async drop() {
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
    },
  };
}

/** A database name on the test server; the app creates it on first start, drop() removes it. */
export function createMysqlDatabase(): TestDatabase {
  const name = `crondeck_test_${randomBytes(6).toString("hex")}`;
  const base = MYSQL_TEST_URL.replace(/\/+$/, "");
  return {
    provider: "mysql",
    url: `${base}/${name}`,
    async drop() {
      const conn = await mariadb.createConnection(serverOptions());
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** The providers to run a suite against: SQLite always, MySQL when reachable (or always under CI). */
export async function testProviders(): Promise<Array<"sqlite" | "mysql">> {
  return (await mysqlReachable()) ? ["sqlite", "mysql"] : ["sqlite"];
}

export function createTestDatabase(provider: "sqlite" | "mysql"): TestDatabase {
  return provider === "sqlite" ? createSqliteDatabase() : createMysqlDatabase();
}

/** Runs a raw query on the test server (for tests that inspect information_schema). */
export async function mysqlQuery<T = unknown>(database: string, sql: string, params: unknown[] = []): Promise<T> {
  const conn = await mariadb.createConnection({ ...serverOptions(), database });
  try {
    return (await conn.query(sql, params)) as T;
  } finally {
    await conn.end();
  }
}

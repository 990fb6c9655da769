import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@crondeck/testing";
import BetterSqlite3 from "better-sqlite3";
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

/**
 * A MariaDB server of a test's own (its own port and data folder), for tests that stop the
 * database under a running app and start it again. Needs mariadbd and mariadb-install-db; under
 * CI=true their absence fails the run.
 */
export interface PrivateMariadb {
  /** A URL to a database on it (created by the app at its first start). */
  url: string;
  /** Kills the server at once (SIGKILL: a crash, as a lost host or an OOM kill would). */
  crash(): Promise<void>;
  /** Starts it again on the same port and data folder; resolves once it accepts connections. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const MARIADBD = "/usr/sbin/mariadbd";
const INSTALL_DB = "/usr/bin/mariadb-install-db";

export function privateMariadbAvailable(): boolean {
  const ok = existsSync(MARIADBD) && existsSync(INSTALL_DB);
  if (!ok && process.env.CI === "true") throw new Error(`${MARIADBD} and ${INSTALL_DB} are required when CI=true`);
  if (!ok) console.warn(`SKIPPING private MariaDB suites: ${MARIADBD} or ${INSTALL_DB} is missing`);
  return ok;
}

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), "crondeck-mariadb-"));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
  execFileSync(
    INSTALL_DB,
    ["--no-defaults", `--datadir=${dir}/data`, "--auth-root-authentication-method=normal", "--skip-test-db", ...asRoot],
    { stdio: "ignore" },
  );
  const args = [
    "--no-defaults",
    `--datadir=${dir}/data`,
    `--port=${port}`,
    `--socket=${dir}/mysqld.sock`,
    `--pid-file=${dir}/mysqld.pid`,
    "--bind-address=127.0.0.1",
    "--skip-grant-tables", // root with no password, from this test only: the server is private
    "--innodb-buffer-pool-size=32M",
    ...asRoot,
  ];
  let server: ChildProcess | null = null;
  const start = async () => {
    const child = spawn(MARIADBD, args, { stdio: "ignore" });
    server = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`);
      try {
        const conn = await mariadb.createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 1000 });
        await conn.end();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const crash = async () => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `mysql://root@127.0.0.1:${port}/crondeck_${randomBytes(4).toString("hex")}`,
    crash,
    start,
    async destroy() {
      await crash();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes a SQLite database unwritable for everyone else, as another process holding its write lock
 * would (a backup, a sqlite3 shell): readers go on, writers wait for their busy timeout and fail.
 */
export function lockSqlite(url: string): { release(): void } {
  const file = url.replace(/^file:/, "");
  const conn = new BetterSqlite3(file, { timeout: 30_000 });
  conn.exec("BEGIN EXCLUSIVE");
  return {
    release() {
      conn.exec("COMMIT");
      conn.close();
    },
  };
}

/** Kept for callers of @crondeck/db/testing; the one copy is in @crondeck/testing. */
export { freePort } from "@crondeck/testing";

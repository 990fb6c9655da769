import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

export type Provider = "mysql" | "sqlite";

export interface MysqlTarget {
  provider: "mysql";
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectionLimit: number;
}

export interface SqliteTarget {
  provider: "sqlite";
  /** Absolute file path, or ":memory:". */
  file: string;
}

export type DatabaseTarget = MysqlTarget | SqliteTarget;

/**
 * Reads DATABASE_URL: `mysql://user:pass@host:3306/db` (or `mariadb://`) for MySQL/MariaDB,
 * `file:./data/crondeck.db` (relative to the working directory) for SQLite.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (path === ":memory:") return { provider: "sqlite", file: path };
    return { provider: "sqlite", file: resolve(path) };
  }
  const parsed = new URL(url);
  if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") {
    throw new Error(`DATABASE_URL must start with mysql://, mariadb:// or file: (got ${parsed.protocol})`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) throw new Error("DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1:3306/crondeck");
  return {
    provider: "mysql",
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    connectionLimit: Number(parsed.searchParams.get("connection_limit") ?? 10),
  };
}

/** Makes sure the folder of a SQLite file exists, so the zero-setup start needs no mkdir. */
export function ensureSqliteDir(target: SqliteTarget): void {
  if (target.file !== ":memory:") mkdirSync(dirname(target.file), { recursive: true });
}

/** The URL with its password replaced, for logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

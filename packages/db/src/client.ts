import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaClient as MysqlClient } from "../generated/mysql/client.ts";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.ts";
import { migrate } from "./migrate.ts";
import { type DatabaseTarget, ensureSqliteDir, type Provider, parseDatabaseUrl } from "./url.ts";

/**
 * The one client type the app codes against. Both generated clients have the same models; the
 * SQLite client is cast to the MySQL one here, at this single seam, and nowhere else.
 */
export type Db = MysqlClient;
export type { Prisma, Run as RunRow, Task as TaskRow } from "../generated/mysql/client.ts";

export interface Database {
  db: Db;
  provider: Provider;
  target: DatabaseTarget;
  /** True while the database answers within `timeoutMs` and holds Crondeck's schema (readiness). */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const PING_TIMEOUT_MS = 800;
const SQLITE_BUSY_TIMEOUT_MS = 3_000;

export interface OpenOptions {
  /** Apply pending migrations first (the app does; tests of the migrator don't). Default true. */
  migrate?: boolean;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  if (options.migrate !== false) await migrate(target);
  const db = target.provider === "mysql" ? mysqlClient(target) : await sqliteClient(target);
  return {
    db,
    provider: target.provider,
    target,
    async ping(timeoutMs = PING_TIMEOUT_MS) {
      let timer: NodeJS.Timeout | undefined;
      // An unreachable server makes a query wait for the pool's connect timeout (10 s): readiness
      // must answer sooner than a load balancer's probe gives up.
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        // Touches a table, so a dropped or emptied database is not ready even while the server answers.
        const query = db.$queryRawUnsafe("SELECT 1 FROM _prisma_migrations LIMIT 1").then(
          () => true,
          () => false,
        );
        return await Promise.race([query, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => db.$disconnect(),
  };
}

function mysqlClient(target: Extract<DatabaseTarget, { provider: "mysql" }>): Db {
  const adapter = new PrismaMariaDb({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: target.connectionLimit,
    charset: "utf8mb4",
    // DATETIME columns hold UTC; without this the driver would shift by the server's zone.
    timezone: "Z",
  });
  return new MysqlClient({ adapter });
}

async function sqliteClient(target: Extract<DatabaseTarget, { provider: "sqlite" }>): Promise<Db> {
  ensureSqliteDir(target);
  // timeout = busy timeout: writers from another process (a second instance) wait instead of
  // failing. The driver waits synchronously, freezing the whole process meanwhile, so it is kept
  // short: a file locked for longer is an outage (writes fail, slots are missed and recorded later).
  const adapter = new PrismaBetterSqlite3({ url: target.file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const client = new SqliteClient({ adapter });
  await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await client.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  // Statistics for the query planner, which otherwise assumes every index equally selective and
  // walks the status index of millions of runs for one task's twenty. Sampled (analysis_limit),
  // so it takes milliseconds however large the tables are.
  await client.$queryRawUnsafe("PRAGMA analysis_limit = 1000");
  await client.$executeRawUnsafe("ANALYZE");
  return client as unknown as Db;
}

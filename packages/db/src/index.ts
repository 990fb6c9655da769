export {
  type Database,
  type Db,
  type OpenOptions,
  openDatabase,
  type Prisma,
  type RunRow,
  type TaskRow,
} from "./client.ts";
export { isForeignKeyViolation, isUniqueViolation } from "./errors.ts";
export { listMigrations, MIGRATIONS_DIRS, type MigrateOptions, type MigrateResult, migrate } from "./migrate.ts";
export { escapeLike, taskNameKey, taskSearchText } from "./task-name.ts";
export { type DatabaseTarget, type Provider, parseDatabaseUrl, redactDatabaseUrl } from "./url.ts";

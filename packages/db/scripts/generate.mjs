// Derives prisma/sqlite/schema.prisma from the MySQL schema (the source of truth) and generates
// both Prisma clients. Plain JS so it runs from `pnpm install` before anything is compiled.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const mysqlSchema = join(root, "prisma/schema.prisma");
const sqliteSchema = join(root, "prisma/sqlite/schema.prisma");

export function deriveSqliteSchema(source) {
  return [
    "// GENERATED from prisma/schema.prisma by packages/db/scripts/generate.mjs: do not edit.",
    source
      .replace(/ @db\.\w+(\([^)]*\))?/g, "")
      .replace('provider = "mysql"', 'provider = "sqlite"')
      .replace('output   = "../packages/db/generated/mysql"', 'output   = "../../packages/db/generated/sqlite"'),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(sqliteSchema, deriveSqliteSchema(readFileSync(mysqlSchema, "utf8")));
  const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  // `generate` never uses the schema engine, but the CLI insists on locating one; any executable
  // satisfies it, which keeps generation offline.
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/true",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
  for (const schema of [mysqlSchema, sqliteSchema]) {
    execFileSync(process.execPath, [prismaCli, "generate", "--schema", schema], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
      cwd: root,
    });
  }
}

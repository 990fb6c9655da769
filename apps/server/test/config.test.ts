import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@crondeck/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { ConfigError, SECRET_SETTINGS } from "../src/config.ts";

const dir = mkdtempSync(join(tmpdir(), "crondeck-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("secret settings from files", () => {
  it("reads every secret setting from <NAME>_FILE, dropping one trailing line break", () => {
    const config = loadConfig({
      ADMIN_PASSWORD_FILE: secretFile("admin", "from-a-file-password\n"),
      DATABASE_URL_FILE: secretFile("db", "mysql://u:dbpass@db:3306/crondeck\n"),
      SMTP_URL_FILE: secretFile("smtp", "smtp://u:smtppass@mail:587"),
      SMTP_PASSWORD_FILE: secretFile("smtp-pw", "pw with spaces \n"),
      NATS_URL_FILE: secretFile("nats", "nats://u:natspass@nats:4222\n"),
      SECRETS_KEY_FILE: secretFile("secrets-key", "a-long-secrets-key-from-a-file\n"),
    });
    expect(config).toMatchObject({
      adminPassword: "from-a-file-password",
      databaseUrl: "mysql://u:dbpass@db:3306/crondeck",
      smtpUrl: "smtp://u:smtppass@mail:587",
      smtpPassword: "pw with spaces ",
      natsUrl: "nats://u:natspass@nats:4222",
      secretsKey: "a-long-secrets-key-from-a-file",
    });
    expect([...SECRET_SETTINGS].sort()).toEqual(
      ["ADMIN_PASSWORD", "DATABASE_URL", "NATS_URL", "SECRETS_KEY", "SMTP_PASSWORD", "SMTP_URL"].sort(),
    );
  });

  it("refuses both forms at once, and an unreadable file without echoing anything secret", () => {
    expect(() => loadConfig({ SMTP_PASSWORD: "a", SMTP_PASSWORD_FILE: secretFile("x", "b") })).toThrow(
      "set SMTP_PASSWORD or SMTP_PASSWORD_FILE, not both",
    );
    expect(() => loadConfig({ DATABASE_URL_FILE: join(dir, "missing") })).toThrow(
      /DATABASE_URL_FILE: cannot read .*missing \(ENOENT\)/,
    );
  });

  it("refuses an ADMIN_PASSWORD shorter than the API's 12 characters", () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: "x" })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_PASSWORD: "eleven-char" })).toThrow(/at least 12 characters \(it has 11\)/);
    expect(loadConfig({ ADMIN_PASSWORD: "twelve-chars" }).adminPassword).toBe("twelve-chars");
  });
});

describe("the first admin's password", () => {
  it("leaves the process environment and the config once the first admin exists", async () => {
    const db = createTestDatabase("sqlite");
    const saved = process.env.ADMIN_PASSWORD;
    process.env.ADMIN_PASSWORD = "first-admin-password-1";
    try {
      const config = loadConfig(process.env, { databaseUrl: db.url, scheduler: false, webDist: "/nonexistent" });
      expect(config.adminPassword).toBe("first-admin-password-1");
      const app = await buildApp(config, { logger: false });
      await app.ready();
      expect(process.env.ADMIN_PASSWORD).toBeUndefined();
      expect(app.config.adminPassword).toBeNull();
      expect(await app.database.db.user.count()).toBe(1);
      await app.close();
    } finally {
      if (saved === undefined) delete process.env.ADMIN_PASSWORD;
      else process.env.ADMIN_PASSWORD = saved;
      await db.drop();
    }
  });
});

describe("full output settings", () => {
  it("keeps 10 MiB a run within 1 GiB by default, takes 0 for none, and refuses a bad value naming it", () => {
    expect(loadConfig({})).toMatchObject({ runOutputMaxBytes: 10 * 1024 * 1024, runOutputBudgetBytes: 1024 ** 3 });
    expect(loadConfig({ RUN_OUTPUT_MAX_BYTES: "0", RUN_OUTPUT_BUDGET_BYTES: "5000000" })).toMatchObject({
      runOutputMaxBytes: 0,
      runOutputBudgetBytes: 5_000_000,
    });
    expect(() => loadConfig({ RUN_OUTPUT_MAX_BYTES: "-1" })).toThrow(/RUN_OUTPUT_MAX_BYTES must be an integer/);
    expect(() => loadConfig({ RUN_OUTPUT_MAX_BYTES: String(512 * 1024 * 1024) })).toThrow(ConfigError);
    expect(() => loadConfig({ RUN_OUTPUT_BUDGET_BYTES: "1e9x" })).toThrow(/RUN_OUTPUT_BUDGET_BYTES/);
  });
});

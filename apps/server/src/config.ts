import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { isNotifyLanguage, NOTIFY_LANGUAGES, type NotifyConfig, type NotifyLanguage } from "@crondeck/notify";

// Configuration comes from environment variables only; every one is documented in the README
// with the default given here.

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** Default zone for tasks that don't name one (IANA). */
  timezone: string;
  logLevel: string;
  /** `pretty` (readable, for a terminal), `json` (one object a line, for collectors), or `auto`: pretty on a TTY. */
  logFormat: "auto" | "pretty" | "json";
  publicUrl: string;
  natsUrl: string | null;
  /** With NATS: an attempt no executor of its group started within this long ends FAILED. */
  dispatchTimeoutMs: number;
  /** `smtp://user:pass@host:587` or `smtps://…:465`; wins over the smtpHost… fields. Holds a password: never log it. */
  smtpUrl: string | null;
  smtpHost: string | null;
  smtpPort: number | null;
  smtpUser: string | null;
  smtpPassword: string | null;
  /** Implicit TLS (port 465 style). */
  smtpSecure: boolean;
  smtpFrom: string;
  /** The language of notifications of tasks that name none (NOTIFY_LANGUAGE). */
  notifyLanguage: NotifyLanguage;
  /** Attempts per notification, the first one included. */
  notifyRetryAttempts: number;
  /** Backoff base between notification attempts: base · 2^(n−1). */
  notifyRetryBaseMs: number;
  /** First start only: the admin account to create (no password → a random one, logged once). */
  adminUser: string;
  adminPassword: string | null;
  /** How long a dashboard sign-in lasts. */
  sessionTtlHours: number;
  /** How often a long-open response (SSE) re-checks that its caller is still allowed. */
  authRecheckMs: number;
  /** Audit entries older than this are deleted; 0 keeps them forever. */
  auditRetentionDays: number;
  /** Origins allowed to call the API from a browser (CORS); empty: CORS off. */
  corsOrigins: string[];
  /**
   * Which X-Forwarded-* hops to believe (client address, HTTPS for Secure cookies): false, the
   * number of proxies in front of Crondeck, or the proxies' addresses/CIDRs.
   */
  trustProxy: TrustProxy;
  /** Folder of the built dashboard; served at `/` when it exists. */
  webDist: string | null;
  /** Run the scheduler and in-process executors in this process. */
  scheduler: boolean;
  /** Per-run output kept in the database (head + tail). */
  outputLimitBytes: number;
  /** Raw bytes of a run's whole output kept compressed (its middle dropped beyond); 0: not kept. */
  runOutputMaxBytes: number;
  /** Compressed bytes all runs' whole outputs may take; the oldest runs' go first beyond it. */
  runOutputBudgetBytes: number;
  runRetentionDays: number;
  runRetentionPerTask: number;
  /**
   * Encrypts the secrets store (AES-256-GCM, key derived from it); null: the store is off and a task
   * referencing ${secret:NAME} fails. Never logged, never passed to tasks.
   */
  secretsKey: string | null;
  /** This process in run records and the executors list: `host:pid`, so a restart can tell its dead predecessor's runs. */
  instanceName: string;
}

export type TrustProxy = false | number | string[];

export class ConfigError extends Error {}

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrCidr(value: string): boolean {
  if (PROXY_NAMES.has(value)) return true;
  const [address = "", prefix, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: a hop count (`1` = one reverse proxy in front) or a comma list of proxy
 * addresses/CIDRs. `true` is refused: it believed whatever X-Forwarded-For a client sent.
 */
function trustProxy(env: NodeJS.ProcessEnv): TrustProxy {
  const raw = env.TRUST_PROXY?.trim() ?? "";
  if (raw === "" || ["false", "0", "no", "off"].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) return int(env, "TRUST_PROXY", 0, 0, 10) || false;
  if (["true", "yes", "on"].includes(raw.toLowerCase())) {
    throw new ConfigError(
      "TRUST_PROXY=true would believe any client's X-Forwarded-For; set the number of proxies in front of Crondeck (usually 1) or their addresses/CIDRs, e.g. TRUST_PROXY=10.0.0.0/8",
    );
  }
  const list = raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = list.filter((item) => !isAddressOrCidr(item));
  if (bad.length > 0) {
    throw new ConfigError(
      `TRUST_PROXY must be a hop count or a comma list of proxy addresses/CIDRs (bad: ${bad.join(", ")})`,
    );
  }
  return list;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["true", "1", "yes", "on"].includes(raw)) return true;
  if (["false", "0", "no", "off"].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got ${JSON.stringify(env[name])})`);
}

// The URL usually carries the SMTP password, so a bad one is reported without echoing it.
function smtpUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  if (!/^smtps?:\/\/[^/?#]+/i.test(raw)) {
    throw new ConfigError("SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465");
  }
  return raw;
}

function logFormat(env: NodeJS.ProcessEnv): Config["logFormat"] {
  const raw = env.LOG_FORMAT?.trim().toLowerCase() || "auto";
  if (raw === "auto" || raw === "pretty" || raw === "json") return raw;
  throw new ConfigError(`LOG_FORMAT must be auto, pretty or json (got ${JSON.stringify(env.LOG_FORMAT)})`);
}

function notifyLanguage(env: NodeJS.ProcessEnv): NotifyLanguage {
  const raw = env.NOTIFY_LANGUAGE?.trim().toLowerCase() || "en";
  if (isNotifyLanguage(raw)) return raw;
  throw new ConfigError(
    `NOTIFY_LANGUAGE must be one of ${NOTIFY_LANGUAGES.join(", ")} (got ${JSON.stringify(env.NOTIFY_LANGUAGE)})`,
  );
}

function defaultZone(env: NodeJS.ProcessEnv): string {
  return env.TZ?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Settings that may hold a secret: each can instead be read from the file named by `<NAME>_FILE`. */
export const SECRET_SETTINGS = [
  "ADMIN_PASSWORD",
  "DATABASE_URL",
  "SMTP_URL",
  "SMTP_PASSWORD",
  "NATS_URL",
  "SECRETS_KEY",
] as const;

/** The API's own rule for passwords (users route); the first admin's must follow it too. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * `NAME_FILE=/run/secrets/name` instead of `NAME=…`, so a secret need not be in the environment at
 * all (Docker/Kubernetes secrets). One trailing line break is dropped; giving both is an error.
 */
function withSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const resolved = { ...env };
  for (const name of SECRET_SETTINGS) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
    try {
      resolved[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      // The error names the file, never its content.
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  return resolved;
}

/** Long enough that guessing it is not the cheap way in; any text (a passphrase or random bytes in base64). */
const MIN_SECRETS_KEY_LENGTH = 16;

function secretsKey(env: NodeJS.ProcessEnv): string | null {
  const key = env.SECRETS_KEY;
  if (!key) return null;
  if (key.length < MIN_SECRETS_KEY_LENGTH) {
    throw new ConfigError(
      `SECRETS_KEY must be at least ${MIN_SECRETS_KEY_LENGTH} characters; e.g. the output of: openssl rand -base64 32`,
    );
  }
  return key;
}

function adminPassword(env: NodeJS.ProcessEnv): string | null {
  const password = env.ADMIN_PASSWORD;
  if (!password) return null;
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new ConfigError(
      `ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters (it has ${[...password].length}); choose a longer one, or leave it unset to have a random one generated and shown once`,
    );
  }
  return password;
}

export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const env = withSecretFiles(rawEnv);
  const port = int(env, "PORT", 3000, 0, 65535);
  return {
    port,
    // SHELL tasks are remote code execution by design: the bare one-command run listens on this
    // machine only. HOST=0.0.0.0 (the Docker image's setting) opens it to the network.
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.DATABASE_URL || "file:./data/crondeck.db",
    timezone: defaultZone(env),
    logLevel: env.LOG_LEVEL || "info",
    logFormat: logFormat(env),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ""),
    natsUrl: env.NATS_URL || null,
    dispatchTimeoutMs: int(env, "DISPATCH_TIMEOUT_SECONDS", 60, 1, 86_400) * 1000,
    smtpUrl: smtpUrl(env),
    smtpHost: env.SMTP_HOST?.trim() || null,
    smtpPort: env.SMTP_PORT ? int(env, "SMTP_PORT", 587, 1, 65535) : null,
    smtpUser: env.SMTP_USER || null,
    smtpPassword: env.SMTP_PASSWORD || null,
    smtpSecure: bool(env, "SMTP_SECURE", false),
    smtpFrom: env.SMTP_FROM || "Crondeck <crondeck@localhost>",
    notifyLanguage: notifyLanguage(env),
    notifyRetryAttempts: int(env, "NOTIFY_RETRY_ATTEMPTS", 3, 1, 10),
    notifyRetryBaseMs: int(env, "NOTIFY_RETRY_BASE_MS", 1000, 0, 60_000),
    adminUser: env.ADMIN_USER?.trim() || "admin",
    adminPassword: adminPassword(env),
    sessionTtlHours: int(env, "SESSION_TTL_HOURS", 12, 1, 24 * 90),
    authRecheckMs: 5000,
    auditRetentionDays: int(env, "AUDIT_RETENTION_DAYS", 365, 0, 36_500),
    corsOrigins: (env.CORS_ORIGIN ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: trustProxy(env),
    webDist: env.WEB_DIST || fileURLToPath(new URL("../../web/dist", import.meta.url)),
    scheduler: env.SCHEDULER !== "off",
    outputLimitBytes: int(env, "RUN_OUTPUT_LIMIT_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024),
    // At most 256 MiB a run: a row is written in one statement (MariaDB's max_allowed_packet).
    runOutputMaxBytes: int(env, "RUN_OUTPUT_MAX_BYTES", 10 * 1024 * 1024, 0, 256 * 1024 * 1024),
    runOutputBudgetBytes: int(env, "RUN_OUTPUT_BUDGET_BYTES", 1024 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    runRetentionDays: int(env, "RUN_RETENTION_DAYS", 30, 1, 3650),
    runRetentionPerTask: int(env, "RUN_RETENTION_PER_TASK", 1000, 1, 1_000_000),
    instanceName: env.INSTANCE_NAME || `${hostname().slice(0, 64)}:${process.pid}`,
    secretsKey: secretsKey(env),
    ...overrides,
  };
}

/** The notification settings @crondeck/notify wants, for the engine's notifier and the test route. */
export function notifyConfig(config: Config): NotifyConfig {
  return {
    smtpUrl: config.smtpUrl ?? undefined,
    smtpHost: config.smtpHost ?? undefined,
    smtpPort: config.smtpPort ?? undefined,
    smtpUser: config.smtpUser ?? undefined,
    smtpPassword: config.smtpPassword ?? undefined,
    smtpSecure: config.smtpSecure,
    smtpFrom: config.smtpFrom,
    publicUrl: config.publicUrl,
    defaultLanguage: config.notifyLanguage,
    retry: { attempts: config.notifyRetryAttempts, baseDelayMs: config.notifyRetryBaseMs },
  };
}

import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { RunErrorException, runError, type Settings } from "@crondeck/core";
import { type Db, isUniqueViolation } from "@crondeck/db";
import { ApiError, conflict, notFound } from "../lib/errors.ts";

// The secrets store: named values encrypted at rest (AES-256-GCM under a key derived from
// SECRETS_KEY), written by admins, never returned by the API, and resolved into a run's settings
// and environment only when the run starts. What a run was given is masked in its output by the
// executor (ExecutionRequest.mask).

/** `${secret:NAME}` in any text of a task's settings or environment. */
const REFERENCE = /\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** How long resolved values are reused before the table is read again (another instance may have rotated one). */
const CACHE_MS = 2000;
/** The salt of the key derivation: fixed, so every instance with the same SECRETS_KEY derives the same key. */
const SALT = "crondeck-secrets-v1";

export interface SecretView {
  name: string;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

/** A run cannot start: it references a secret that does not exist (or the store is off). */
export class MissingSecretError extends RunErrorException {}

function disabled(): ApiError {
  return new ApiError(
    503,
    "SECRETS_DISABLED",
    "the secrets store is off: set SECRETS_KEY (or SECRETS_KEY_FILE) on every instance to use it",
  );
}

function view(row: { name: string; createdAt: Date; updatedAt: Date; updatedBy: string }): SecretView {
  return {
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

export class SecretStore {
  readonly #key: Buffer | null;
  #cache: { at: number; values: Map<string, string> } | null = null;

  constructor(
    private readonly db: Db,
    secretsKey: string | null,
  ) {
    this.#key = secretsKey === null ? null : scryptSync(secretsKey, SALT, 32);
  }

  get enabled(): boolean {
    return this.#key !== null;
  }

  #encrypt(value: string): string {
    if (!this.#key) throw disabled();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64");
  }

  #decrypt(stored: string): string {
    if (!this.#key) throw disabled();
    const raw = Buffer.from(stored, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }

  async list(): Promise<SecretView[]> {
    if (!this.#key) throw disabled();
    const rows = await this.db.secret.findMany({ orderBy: { name: "asc" } });
    return rows.map(view);
  }

  async create(name: string, value: string, by: string): Promise<SecretView> {
    const stored = this.#encrypt(value);
    try {
      const row = await this.db.secret.create({ data: { name, value: stored, updatedBy: by } });
      this.#cache = null;
      return view(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict("SECRET_EXISTS", `a secret named ${name} already exists`, "name");
      throw err;
    }
  }

  async update(name: string, value: string, by: string): Promise<SecretView> {
    const stored = this.#encrypt(value);
    const { count } = await this.db.secret.updateMany({ where: { name }, data: { value: stored, updatedBy: by } });
    if (count === 0) throw notFound("secret", name);
    this.#cache = null;
    return view(await this.db.secret.findUniqueOrThrow({ where: { name } }));
  }

  async delete(name: string): Promise<void> {
    if (!this.#key) throw disabled();
    const { count } = await this.db.secret.deleteMany({ where: { name } });
    if (count === 0) throw notFound("secret", name);
    this.#cache = null;
  }

  async #values(): Promise<Map<string, string>> {
    if (this.#cache && Date.now() - this.#cache.at < CACHE_MS) return this.#cache.values;
    const rows = await this.db.secret.findMany({ select: { name: true, value: true } });
    const values = new Map(rows.map((row) => [row.name, this.#decrypt(row.value)]));
    this.#cache = { at: Date.now(), values };
    return values;
  }

  /**
   * A run's settings and environment with every `${secret:NAME}` replaced by its value, and the
   * values used (to mask). Throws MissingSecretError naming what is missing.
   */
  async resolve(
    settings: Settings,
    env: Record<string, string>,
  ): Promise<{ settings: Settings; env: Record<string, string>; mask: string[] }> {
    const names = new Set<string>();
    const texts = JSON.stringify([settings, env]);
    for (const match of texts.matchAll(REFERENCE)) names.add(match[1] as string);
    if (names.size === 0) return { settings, env, mask: [] };
    if (!this.#key)
      throw new MissingSecretError(
        runError(
          "SECRETS_DISABLED",
          `the task references the secret ${[...names][0]}, but the secrets store is off (SECRETS_KEY is not set)`,
          { name: [...names][0] as string },
        ),
      );
    const values = await this.#values();
    const missing = [...names].filter((name) => !values.has(name));
    if (missing.length > 0)
      throw new MissingSecretError(
        runError("SECRET_MISSING", `the task references a secret that does not exist: ${missing.join(", ")}`, {
          names: missing.join(", "),
        }),
      );
    const substitute = (value: unknown): unknown => {
      if (typeof value === "string") return value.replace(REFERENCE, (_, name: string) => values.get(name) as string);
      if (Array.isArray(value)) return value.map(substitute);
      if (value !== null && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
      return value;
    };
    return {
      settings: substitute(settings) as Settings,
      env: substitute(env) as Record<string, string>,
      mask: [...names].map((name) => values.get(name) as string),
    };
  }
}

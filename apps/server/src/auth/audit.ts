import type { Db } from "@crondeck/db";
import type { FastifyRequest } from "fastify";

/** Fields of the API's own whose values never reach the audit log (modes and channels add theirs). */
const SECRET_FIELDS = ["password", "passwordHash", "tokenHash", "token", "value"];

function masked(value: unknown, secretFields: ReadonlySet<string>): string | null {
  if (value == null) return null;
  return JSON.stringify(value, (key, v) => (secretFields.has(key) ? (v == null ? v : "***") : v));
}

export interface AuditRecord {
  action: string;
  targetType: "task" | "run" | "user" | "token" | "session" | "secret";
  targetId?: number | null;
  taskId?: number | null;
  before?: unknown;
  after?: unknown;
  /** For events without a signed-in actor (a failed login): who it claimed to be. */
  actorName?: string;
}

/** Writes who changed or ran what, when; a failure to audit fails the request rather than pass silently. */
export class AuditLog {
  readonly #secretFields: ReadonlySet<string>;

  /** `secretFields`: the write-only fields of the task modes and channels, as their modules declare. */
  constructor(
    private readonly db: Db,
    secretFields: Iterable<string> = [],
  ) {
    this.#secretFields = new Set([...SECRET_FIELDS, ...secretFields]);
  }

  async record(req: FastifyRequest, entry: AuditRecord): Promise<void> {
    await this.db.auditEntry.create({
      data: {
        actorId: req.principal?.userId ?? null,
        actorName: req.principal?.username ?? entry.actorName ?? "anonymous",
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        taskId: entry.taskId ?? null,
        before: masked(entry.before, this.#secretFields),
        after: masked(entry.after, this.#secretFields),
        ip: req.ip,
        via: req.principal?.via ?? null,
        tokenId: req.principal?.tokenId ?? null,
      },
    });
  }
}

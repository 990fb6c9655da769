import type { Db } from "@crondeck/db";
import type { FastifyRequest } from "fastify";

/** Fields whose values never reach the audit log. */
const SECRET_FIELDS = new Set(["notifyWebhookSecret", "password", "passwordHash", "tokenHash", "token"]);

function masked(value: unknown): string | null {
  if (value == null) return null;
  return JSON.stringify(value, (key, v) => (SECRET_FIELDS.has(key) ? (v == null ? v : "***") : v));
}

export interface AuditRecord {
  action: string;
  targetType: "task" | "run" | "user" | "token" | "session";
  targetId?: number | null;
  taskId?: number | null;
  before?: unknown;
  after?: unknown;
  /** For events without a signed-in actor (a failed login): who it claimed to be. */
  actorName?: string;
}

/** Writes who changed or ran what, when; a failure to audit fails the request rather than pass silently. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(req: FastifyRequest, entry: AuditRecord): Promise<void> {
    await this.db.auditEntry.create({
      data: {
        actorId: req.principal?.userId ?? null,
        actorName: req.principal?.username ?? entry.actorName ?? "anonymous",
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        taskId: entry.taskId ?? null,
        before: masked(entry.before),
        after: masked(entry.after),
        ip: req.ip,
        via: req.principal?.via ?? null,
        tokenId: req.principal?.tokenId ?? null,
      },
    });
  }
}

import type { Db, Provider, TaskRow } from "@crondeck/db";
import type { FastifyRequest } from "fastify";
import { notFound } from "../lib/errors.ts";
import type { TaskModules } from "./modules.ts";
import { toApiTask } from "./repository.ts";

// A task's edit history (TaskVersion). A snapshot is the task's editable columns exactly as stored
// (mode and channel settings as their JSON text, secrets included), taken from the row itself, so a
// column another change adds to Task joins the history without being listed here. Snapshots never
// leave the server as stored: readers get them through toApiTask, masked as the modules declare.

/** Columns of Task that are not its editable fields: assigned, derived from others, or the engine's. */
const NOT_EDITABLE: ReadonlySet<string> = new Set([
  "id",
  "nameKey",
  "createdAt",
  "updatedAt",
  "searchText",
  "nextRunAtMs",
  "lastRunId",
  "lastRunStatus",
  "lastRunFinishedAt",
]);

/** The view fields that describe the stored row or the present, not a saved state. */
const NOT_COMPARED = ["id", "createdAt", "updatedAt", "nextRunAt", "lastRun", "warnings"];

export type Snapshot = Record<string, unknown>;

export const VERSION_ACTIONS = ["create", "update", "revert", "import", "bulk"] as const;
export type VersionAction = (typeof VERSION_ACTIONS)[number];

/** Who saved a version, as the audit log records an actor. */
export interface VersionActor {
  actorId: number | null;
  actorName: string;
  via: string | null;
  tokenId: number | null;
}

/** What a task write records in the history: why, and who. */
export interface VersionBy {
  action: VersionAction;
  actor: VersionActor;
}

/** The actor of a request, as AuditLog.record takes it. */
export function actorOf(req: FastifyRequest): VersionActor {
  const p = req.principal;
  return {
    actorId: p?.userId ?? null,
    actorName: p?.username ?? "anonymous",
    via: p?.via ?? null,
    tokenId: p?.tokenId ?? null,
  };
}

/** Versions recorded on a task's behalf when nobody acted (tasks stored before the history existed). */
const SYSTEM: VersionActor = { actorId: null, actorName: "system", via: null, tokenId: null };

/** The editable columns of a stored task, in a JSON-safe form. */
export function snapshotOf(row: TaskRow): Snapshot {
  const out: Snapshot = {};
  for (const [key, value] of Object.entries(row)) {
    // Arrays are relations Prisma may include, but a record's upstream tasks are part of its state.
    if (NOT_EDITABLE.has(key) || (Array.isArray(value) && key !== "dependsOn")) continue;
    out[key] = jsonSafe(value);
  }
  return out;
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * A stored snapshot with each value in the type of that column on `current` (SQL-built snapshots
 * hold booleans as 0/1). Columns the task no longer has are dropped; columns added after the
 * snapshot was taken are absent, so a revert leaves them as they are.
 */
export function readSnapshot(json: string, current: TaskRow): Snapshot {
  const parsed = JSON.parse(json) as Snapshot;
  const out: Snapshot = {};
  const row = current as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(parsed)) {
    if (NOT_EDITABLE.has(key) || !(key in row)) continue;
    const like = row[key];
    if (value === null || value === undefined) out[key] = null;
    else if (typeof like === "boolean") out[key] = value === true || value === 1 || value === "1";
    else if (typeof like === "number") out[key] = Number(value);
    else if (typeof like === "bigint") out[key] = BigInt(value as string);
    else if (like instanceof Date) out[key] = new Date(value as string);
    else out[key] = value;
  }
  return out;
}

/** The stored task a snapshot describes: the current row with the snapshot's fields. */
export function rowAt(current: TaskRow, snapshot: Snapshot, savedAt: Date): TaskRow {
  return { ...current, ...snapshot, updatedAt: savedAt } as TaskRow;
}

/** A snapshot as one comparable string: keys sorted, values JSON-safe. */
function canonical(snapshot: Snapshot): string {
  const keys = Object.keys(snapshot).sort();
  return JSON.stringify(keys.map((key) => [key, jsonSafe(snapshot[key])]));
}

export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return canonical(a) === canonical(b);
}

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  /** A write-only secret: it changed, and its values are never shown. */
  secret?: boolean;
}

/**
 * What changed from `before` to `after`, field by field as the task API names them. Values are
 * compared as stored (a changed secret counts) and shown as readers see them: a write-only field
 * has no values, a masked one its mask — both as modules.ts derives from the modules' declarations.
 */
export function diffRows(modules: TaskModules, before: TaskRow, after: TaskRow): FieldChange[] {
  const writeOnly = modules.writeOnlyFields();
  const shown = (row: TaskRow) => {
    const view = toApiTask(modules, row, () => null) as unknown as Record<string, unknown>;
    for (const key of NOT_COMPARED) delete view[key];
    return view;
  };
  const compared = (row: TaskRow, view: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...view };
    for (const name of writeOnly) delete out[`${name}Set`];
    return { ...out, ...modules.stored(row) };
  };
  const viewBefore = shown(before);
  const viewAfter = shown(after);
  const storedBefore = compared(before, viewBefore);
  const storedAfter = compared(after, viewAfter);
  const fields = [...new Set([...Object.keys(storedBefore), ...Object.keys(storedAfter)])];
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (JSON.stringify(storedBefore[field] ?? null) === JSON.stringify(storedAfter[field] ?? null)) continue;
    if (writeOnly.has(field)) changes.push({ field, secret: true });
    else changes.push({ field, before: viewBefore[field] ?? null, after: viewAfter[field] ?? null });
  }
  return changes;
}

/** A row of the history as the routes use it. */
export interface VersionRow {
  version: number;
  snapshot: string;
  action: string;
  actorId: number | null;
  actorName: string;
  via: string | null;
  tokenId: number | null;
  createdAt: Date;
}

/**
 * Records `row`'s state as the task's next version, unless it is the state of its latest version.
 * Called by the repository inside the transaction of the write; the task row is written first, so
 * on MySQL the row's lock orders concurrent edits of one task and their version numbers. A task
 * without a history yet (stored by plain SQL) gets `previous`, its state before this write, as
 * version 1 first. Returns the number recorded, or null when nothing changed.
 */
export async function recordVersion(
  db: Db,
  provider: Provider,
  row: TaskRow,
  by: VersionBy,
  previous?: TaskRow,
): Promise<number | null> {
  // A locking read on MySQL: a plain one would read the transaction's snapshot, which Prisma's
  // update took before it waited for the row's lock, and miss the version a concurrent edit just
  // committed. SQLite runs one write transaction at a time.
  const [found] = await db.$queryRawUnsafe<Array<{ version: number | bigint; snapshot: string }>>(
    `SELECT \`version\`, \`snapshot\` FROM \`TaskVersion\` WHERE \`taskId\` = ? ORDER BY \`version\` DESC LIMIT 1${provider === "mysql" ? " FOR UPDATE" : ""}`,
    row.id,
  );
  const latest = found ? { version: Number(found.version), snapshot: found.snapshot } : null;
  const snapshot = snapshotOf(row);
  let number = latest?.version ?? 0;
  if (latest && sameSnapshot(readSnapshot(latest.snapshot, row), snapshot)) return null;
  if (!latest && previous) {
    await insert(db, row.id, 1, snapshotOf(previous), { action: "create", actor: SYSTEM }, previous.updatedAt);
    number = 1;
    if (sameSnapshot(snapshotOf(previous), snapshot)) return null;
  }
  await insert(db, row.id, number + 1, snapshot, by);
  return number + 1;
}

/**
 * Records a task just created as its version 1, without reading the history it cannot have yet
 * (on MySQL that read's gap lock would make concurrent creates wait for each other's inserts).
 */
export async function recordFirstVersion(db: Db, row: TaskRow, by: VersionBy): Promise<void> {
  await insert(db, row.id, 1, snapshotOf(row), by);
}

async function insert(db: Db, taskId: number, version: number, snapshot: Snapshot, by: VersionBy, at?: Date) {
  await db.taskVersion.create({
    data: {
      taskId,
      version,
      snapshot: JSON.stringify(snapshot),
      action: by.action,
      ...by.actor,
      ...(at ? { createdAt: at } : {}),
    },
  });
}

const COLUMNS = {
  version: true,
  snapshot: true,
  action: true,
  actorId: true,
  actorName: true,
  via: true,
  tokenId: true,
  createdAt: true,
} as const;

/** Reads a task's history (the task's existence is the caller's check). */
export class TaskVersions {
  constructor(private readonly db: Db) {}

  /** One page, newest first, with the version before the page's last (to say what it changed). */
  async page(taskId: number, page: number, pageSize: number): Promise<{ rows: VersionRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.db.taskVersion.findMany({
        where: { taskId },
        orderBy: { version: "desc" },
        skip: (page - 1) * pageSize,
        take: pageSize + 1,
        select: COLUMNS,
      }),
      this.db.taskVersion.count({ where: { taskId } }),
    ]);
    return { rows, total };
  }

  async get(taskId: number, version: number): Promise<VersionRow> {
    const row = await this.db.taskVersion.findUnique({
      where: { taskId_version: { taskId, version } },
      select: COLUMNS,
    });
    if (!row) throw notFound("version", version);
    return row;
  }

  /** The task's newest version number, or null before its first. */
  async latest(taskId: number): Promise<number | null> {
    const row = await this.db.taskVersion.findFirst({
      where: { taskId },
      orderBy: { version: "desc" },
      select: { version: true },
    });
    return row?.version ?? null;
  }

  /** The version before `version` (the default to compare with), or null for the first. */
  async before(taskId: number, version: number): Promise<VersionRow | null> {
    return this.db.taskVersion.findFirst({
      where: { taskId, version: { lt: version } },
      orderBy: { version: "desc" },
      select: COLUMNS,
    });
  }
}

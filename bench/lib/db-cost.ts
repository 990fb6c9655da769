import { type Db, openDatabase } from "@crondeck/db";
import { fireKeyOf, RunStore } from "../../apps/server/src/engine/run-store.ts";
import { summarize } from "./stats.ts";

// What one second's burst of N fires costs the database layer, step by step: with the engine's own
// RunStore (one call per fire, all fires of the burst concurrently, as the scheduler issues them),
// next to other forms for comparison: one Prisma call per fire without batching, Prisma batch
// calls, and the raw SQL the RunStore is built on. Wall time per burst and this process's CPU per burst,
// medians over rounds; each round claims a fresh slot for every task.

export interface DbCostSpec {
  kind: "dbcost";
  provider: "sqlite" | "mysql";
  /** Database already holding the tasks. */
  url: string;
  rounds: number;
}

export interface CostRow {
  way: string;
  step: string;
  /** Statements sent for the whole burst. */
  queries: number;
  wallMs: number;
  cpuMs: number;
}

export interface DbCostResult {
  tasks: number;
  rows: CostRow[];
}

interface Ctx {
  db: Db;
  store: RunStore;
  provider: "sqlite" | "mysql";
  ids: number[];
  slot: Date;
  /** Run ids claimed by the previous claim step of the round, for the finish step. */
  claimed: number[];
}

interface Step {
  way: string;
  step: string;
  queries: (n: number) => number;
  run: (ctx: Ctx) => Promise<void>;
}

const finished = (at: Date) => ({
  status: "SUCCEEDED" as const,
  exitCode: 0,
  httpStatus: null,
  output: "",
  truncated: false,
  outputBytes: 0,
  error: null,
  errorCode: null,
  errorParams: null,
  startedAt: at,
  finishedAt: at,
  durationMs: 0,
});

const newRun = (ctx: Ctx, taskId: number) => ({
  taskId,
  trigger: "SCHEDULE" as const,
  scheduledAt: ctx.slot,
  fireKey: fireKeyOf(ctx.slot),
  attempt: 1,
  rootRunId: null,
  status: "RUNNING" as const,
  executor: "bench",
  ownerId: "bench",
});

async function readBack(ctx: Ctx): Promise<number[]> {
  // createMany and INSERT return no ids (MySQL has no RETURNING): read them back by the slot key.
  const rows = await ctx.db.run.findMany({
    where: { fireKey: fireKeyOf(ctx.slot), attempt: 1, taskId: { in: ctx.ids } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** One multi-row INSERT that skips slots already claimed (the unique key), as raw SQL. */
async function rawClaim(ctx: Ctx): Promise<void> {
  const q = ctx.provider === "mysql" ? "`" : '"';
  const cols = ["taskId", "trigger", "scheduledAt", "fireKey", "attempt", "status", "startedAt", "heartbeatAt"];
  const more = ["executor", "output", "matchedKeywords", "createdAt", "updatedAt"];
  const tuple = `(${[...cols, ...more].map(() => "?").join(",")})`;
  const now = new Date();
  const params = ctx.ids.flatMap((id) => [
    id,
    "SCHEDULE",
    ctx.slot,
    fireKeyOf(ctx.slot),
    1,
    "RUNNING",
    now,
    now,
    "bench",
    "",
    "[]",
    now,
    now,
  ]);
  const verb = ctx.provider === "mysql" ? "INSERT IGNORE" : "INSERT OR IGNORE";
  const names = [...cols, ...more].map((c) => `${q}${c}${q}`).join(",");
  await ctx.db.$executeRawUnsafe(
    `${verb} INTO ${q}Run${q} (${names}) VALUES ${ctx.ids.map(() => tuple).join(",")}`,
    ...params,
  );
  ctx.claimed = await readBack(ctx);
}

const FINISH_COLUMNS = ["status", "finishedAt", "durationMs", "exitCode", "output", "heartbeatAt", "updatedAt"];

/** One UPDATE joined to a list of new values (SQLite: FROM VALUES; MariaDB: JOIN a UNION). */
async function rawFinish(ctx: Ctx): Promise<void> {
  const q = ctx.provider === "mysql" ? "`" : '"';
  const at = ctx.slot;
  const params = ctx.claimed.flatMap((id) => [id, "SUCCEEDED", at, 0, 0, "", at, new Date()]);
  const marks = ["id", ...FINISH_COLUMNS].map(() => "?").join(",");
  if (ctx.provider === "mysql") {
    const first = `SELECT ${["id", ...FINISH_COLUMNS].map((c) => `? AS ${q}${c}${q}`).join(",")}`;
    const rest = ctx.claimed.slice(1).map(() => ` UNION ALL SELECT ${marks}`);
    const sets = FINISH_COLUMNS.map((c) => `r.${q}${c}${q} = v.${q}${c}${q}`).join(", ");
    await ctx.db.$executeRawUnsafe(
      `UPDATE ${q}Run${q} r JOIN (${first}${rest.join("")}) v ON r.${q}id${q} = v.${q}id${q} SET ${sets}`,
      ...params,
    );
  } else {
    const sets = FINISH_COLUMNS.map((c, i) => `${q}${c}${q} = v.column${i + 2}`).join(", ");
    const rows = ctx.claimed.map(() => `(${marks})`).join(",");
    await ctx.db.$executeRawUnsafe(
      `UPDATE ${q}Run${q} SET ${sets} FROM (VALUES ${rows}) AS v WHERE ${q}Run${q}.${q}id${q} = v.column1`,
      ...params,
    );
  }
}

const STEPS: Step[] = [
  // The engine's own RunStore: one call per fire, coalesced into one statement per ≤ 500 calls.
  {
    way: "RunStore (engine)",
    step: "FORBID read",
    queries: (n) => Math.ceil(n / 500),
    run: async (ctx) => {
      await Promise.all(ctx.ids.map((id) => ctx.store.hasActive(id)));
    },
  },
  {
    way: "RunStore (engine)",
    step: "claim",
    queries: (n) => 2 * Math.ceil(n / 500),
    run: async (ctx) => {
      const rows = await Promise.all(ctx.ids.map((id) => ctx.store.claim(newRun(ctx, id))));
      ctx.claimed = rows.flatMap((r) => (r ? [r.id] : []));
    },
  },
  {
    way: "RunStore (engine)",
    step: "finish",
    queries: (n) => 2 * Math.ceil(n / 500),
    run: async (ctx) => {
      await Promise.all(ctx.claimed.map((id) => ctx.store.finish(id, "bench", finished(ctx.slot), [])));
    },
  },
  {
    way: "per fire, no row back",
    step: "finish",
    queries: (n) => n,
    run: async (ctx) => {
      // updateMany returns a count only: no SELECT of the row afterwards, no transaction around it.
      await Promise.all(
        ctx.claimed.map((id) =>
          ctx.db.run.updateMany({ where: { id }, data: { status: "SUCCEEDED", finishedAt: ctx.slot, durationMs: 0 } }),
        ),
      );
    },
  },
  {
    way: "batched (Prisma)",
    step: "FORBID read",
    queries: () => 1,
    run: async (ctx) => {
      await ctx.db.run.findMany({
        where: { taskId: { in: ctx.ids }, status: { in: ["QUEUED", "RUNNING"] } },
        select: { taskId: true },
      });
    },
  },
  {
    way: "batched (Prisma)",
    step: "claim",
    queries: () => 2,
    run: async (ctx) => {
      const now = new Date();
      await ctx.db.run.createMany({
        data: ctx.ids.map((taskId) => ({
          ...newRun(ctx, taskId),
          startedAt: now,
          heartbeatAt: now,
          output: "",
          matchedKeywords: "[]",
        })),
      });
      ctx.claimed = await readBack(ctx);
    },
  },
  {
    way: "batched (Prisma)",
    step: "finish",
    queries: () => 1,
    run: async (ctx) => {
      await ctx.db.$transaction(
        ctx.claimed.map((id) =>
          ctx.db.run.update({
            where: { id },
            data: { status: "SUCCEEDED", finishedAt: ctx.slot, durationMs: 0, exitCode: 0, heartbeatAt: ctx.slot },
          }),
        ),
      );
    },
  },
  { way: "batched (raw SQL)", step: "claim", queries: () => 2, run: rawClaim },
  // MySQL: the engine's finish before it moved to a CASE per column (a JOIN to a derived table of
  // bound values, which MariaDB cuts to 64 KiB per output): the previous state, measured alongside.
  { way: "batched (raw SQL, derived-table JOIN on MySQL)", step: "finish", queries: () => 1, run: rawFinish },
];

export async function runDbCost(spec: DbCostSpec): Promise<DbCostResult> {
  const database = await openDatabase(spec.url, { migrate: false });
  try {
    const db = database.db;
    const ids = (await db.task.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id);
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const ctx: Ctx = {
      db,
      store: new RunStore(db, spec.provider),
      provider: spec.provider,
      ids,
      slot: new Date(base),
      claimed: [],
    };
    const samples = STEPS.map(() => [] as Array<{ wall: number; cpu: number }>);
    let slot = base;
    // One untimed round first: connection pool, statement and plan caches, JIT.
    for (let round = -1; round < spec.rounds; round++) {
      for (const [i, step] of STEPS.entries()) {
        if (step.step === "claim") {
          slot += 1000;
          ctx.slot = new Date(slot);
        }
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await step.run(ctx);
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        if (round >= 0) samples[i]?.push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
      }
      // The raw claim's runs: ended, so the next round's FORBID read finds nothing running, as in a
      // steady second.
      await db.run.updateMany({ where: { status: "RUNNING" }, data: { status: "SUCCEEDED" } });
    }
    return {
      tasks: ids.length,
      rows: STEPS.map((step, i) => ({
        way: step.way,
        step: step.step,
        queries: step.queries(ids.length),
        wallMs: summarize((samples[i] ?? []).map((s) => s.wall)).p50 ?? 0,
        cpuMs: summarize((samples[i] ?? []).map((s) => s.cpu)).p50 ?? 0,
      })),
    };
  } finally {
    await database.close();
  }
}

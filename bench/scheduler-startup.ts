// Start-up cost of @crondeck/scheduler with 100,000 enabled tasks (50 cron expressions × 5 zones),
// then the cost of firing real due batches. Run from the repo root:
//   pnpm exec tsx bench/scheduler-startup.ts [taskCount]
// runTask is a no-op that records each call, so the figures are the scheduler's own overhead.
// For heap figures without garbage, run with NODE_OPTIONS=--expose-gc.
import { nextRun } from "@crondeck/core";
import { type SchedulableTask, Scheduler } from "@crondeck/scheduler";

const TASKS = Number(process.argv[2] ?? 100_000);
const ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney"];
const EXPRESSIONS = [
  // seconds-first, so a batch is due within a few seconds of start-up
  "*/5 * * * * *",
  "*/10 * * * * *",
  "*/15 * * * * *",
  "*/20 * * * * *",
  "*/30 * * * * *",
  "0 * * * * *",
  "15 * * * * *",
  "45 * * * * *",
  // minute-first
  "* * * * *",
  "*/2 * * * *",
  "*/5 * * * *",
  "*/10 * * * *",
  "*/15 * * * *",
  "*/30 * * * *",
  "0 * * * *",
  "15 * * * *",
  "30 * * * *",
  "45 * * * *",
  "5,35 * * * *",
  "0 */2 * * *",
  "0 */3 * * *",
  "0 */6 * * *",
  "0 */12 * * *",
  "0 0 * * *",
  "30 2 * * *",
  "0 3 * * *",
  "0 9 * * *",
  "0 9 * * 1-5",
  "30 18 * * 1-5",
  "0 12 * * 0",
  "0 8 * * 6",
  "0 0 * * 1",
  "0 0 1 * *",
  "0 0 15 * *",
  "0 0 L * *",
  "0 6 1,15 * *",
  "0 0 1 1 *",
  "0 0 1 */3 *",
  "@hourly",
  "@daily",
  "@weekly",
  "@monthly",
  "10-50/10 * * * *",
  "0 8-18 * * 1-5",
  "*/20 9-17 * * *",
  "0 22 * * 1-5",
  "59 23 * * *",
  "1 1 * * *",
  "7 7 7 * *",
  "0 0 29 2 *",
];

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

function makeTasks(): SchedulableTask[] {
  const createdAt = new Date(Date.now() - 86_400_000);
  return Array.from({ length: TASKS }, (_, i) => ({
    id: i + 1,
    cron: EXPRESSIONS[i % EXPRESSIONS.length] as string,
    timezone: ZONES[Math.floor(i / EXPRESSIONS.length) % ZONES.length] as string,
    enabled: true,
    misfirePolicy: i % 2 === 0 ? "SKIP" : "RUN_LATEST",
    misfireGraceSeconds: 3600,
    createdAt,
  }));
}

interface Batch {
  count: number;
  firstWall: number;
  firstPerf: number;
  lastPerf: number;
}

async function main(): Promise<void> {
  const tasks = makeTasks();
  gc?.();
  const before = process.memoryUsage();
  const batches = new Map<number, Batch>();
  let patterns: unknown;
  let misfires: unknown;

  const scheduler = new Scheduler({
    loadTasks: async () => tasks,
    runTask: async (_task, scheduledAt) => {
      const at = scheduledAt.getTime();
      const perf = performance.now();
      const batch = batches.get(at);
      if (batch) {
        batch.count++;
        batch.lastPerf = perf;
      } else {
        batches.set(at, { count: 1, firstWall: Date.now(), firstPerf: perf, lastPerf: perf });
      }
    },
    logger: {
      info: (obj, msg) => {
        if (msg === "scheduler started") ({ patterns, misfires } = obj as { patterns: number; misfires: number });
      },
      warn: (obj, msg) => console.warn(msg, obj),
      error: (obj, msg) => console.error(msg, obj),
    },
  });

  const t0 = performance.now();
  await scheduler.start();
  const startupMs = performance.now() - t0;
  const startedAt = Date.now();
  await new Promise((resolve) => setImmediate(resolve)); // let the misfire runs settle
  gc?.();
  const afterArm = process.memoryUsage();
  // Misfires fired during start() are not timer batches.
  for (const at of [...batches.keys()]) if (at <= startedAt) batches.delete(at);

  const s0 = performance.now();
  let earliest = Number.POSITIVE_INFINITY;
  for (const t of tasks) earliest = Math.min(earliest, scheduler.nextRunAt(t.id)?.getTime() ?? earliest);
  const scanMs = performance.now() - s0;

  console.log(`tasks armed:            ${scheduler.size} (${patterns} shared patterns, ${misfires} misfires fired)`);
  console.log(`start() incl. arming:   ${startupMs.toFixed(0)} ms`);
  console.log(`RSS after arming:       ${mb(afterArm.rss)} (before: ${mb(before.rss)})`);
  console.log(
    `heap used after arming: ${mb(afterArm.heapUsed)} (before: ${mb(before.heapUsed)}; gc ${gc ? "forced" : "not exposed"})`,
  );
  console.log(`nextRunAt() for all:    ${scanMs.toFixed(1)} ms; earliest slot ${new Date(earliest).toISOString()}`);

  // Watch real batches up to and including the next whole minute, the largest one.
  const minute = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
  while (Date.now() < minute + 3_000) await new Promise((resolve) => setTimeout(resolve, 100));
  await scheduler.stop(5_000);

  const byGroup = new Map<string, number>();
  for (const t of tasks)
    byGroup.set(`${t.cron}\u0000${t.timezone}`, (byGroup.get(`${t.cron}\u0000${t.timezone}`) ?? 0) + 1);
  const expectedAt = (at: number) => {
    let n = 0;
    for (const [key, count] of byGroup) {
      const [cron, zone] = key.split("\u0000") as [string, string];
      if (nextRun(cron, zone, new Date(at - 1))?.getTime() === at) n += count;
    }
    return n;
  };

  console.log("due batches fired (slot, tasks fired/expected, first call after slot, slot's fire loop):");
  let worstLoop = 0;
  for (const [at, b] of [...batches].sort((x, y) => x[0] - y[0])) {
    const loopMs = b.lastPerf - b.firstPerf;
    worstLoop = Math.max(worstLoop, loopMs);
    const lateMs = b.firstWall - at;
    console.log(
      `  ${new Date(at).toISOString()}  ${String(b.count).padStart(6)}/${String(expectedAt(at)).padEnd(6)}  +${lateMs} ms  ${loopMs.toFixed(1)} ms`,
    );
  }
  console.log(`largest batch loop: ${worstLoop.toFixed(1)} ms`);
}

await main();

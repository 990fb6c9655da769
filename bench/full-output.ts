// Keeping a run's whole output (day two): a real SHELL attempt printing ~10 MiB through execute(),
// with and without the compressed full copy (time, peak RSS, compressed size), then that file
// written to RunOutput and read back (decompressed) on SQLite and MariaDB.
// Run: pnpm exec tsx bench/full-output.ts [--mib 10] [--rounds 3] [--db sqlite,mysql]
import { text } from "node:stream/consumers";
import { openDatabase } from "@crondeck/db";
import { createTestDatabase, mysqlReachable } from "@crondeck/db/testing";
import { type ExecutionRequest, type ExecutionResult, execute } from "@crondeck/executor";
import { RunOutputStore } from "../apps/server/src/runs/output-store.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const MIB = Number(arg("mib", "10"));
const ROUNDS = Number(arg("rounds", "3"));
const DBS = arg("db", "sqlite,mysql").split(",");

// Log-like text (compresses as logs do) and base64 of random bytes (compresses poorly).
const OUTPUTS = {
  lines: `seq -f 'line %g of the nightly job: ok, 1234 rows copied' 1 ${Math.ceil((MIB * 1024 * 1024) / 48)} | head -c ${MIB * 1024 * 1024}`,
  random: `head -c ${Math.ceil((MIB * 1024 * 1024 * 3) / 4)} /dev/urandom | base64 -w 100 | head -c ${MIB * 1024 * 1024}`,
};

const request = (command: string, full: boolean): ExecutionRequest => ({
  runId: 1,
  taskId: 1,
  scheduledAt: new Date(),
  attempt: 1,
  mode: "SHELL",
  settings: { command },
  timeoutSeconds: 120,
  idempotencyKey: "bench",
  ...(full ? { fullOutputMaxBytes: (MIB + 1) * 1024 * 1024 } : {}),
});

async function attempt(
  command: string,
  full: boolean,
): Promise<{ ms: number; peakRssMb: number; result: ExecutionResult }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  const result = await execute(request(command, full));
  const ms = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, peakRssMb: (peak - base) / 1024 / 1024, result };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const files: Record<string, ExecutionResult["fullOutput"]> = {};

console.log(`## execute() of a SHELL attempt printing ${MIB} MiB (median of ${ROUNDS})\n`);
console.log("| output | full copy | time ms | peak RSS growth MiB | compressed | ratio |");
console.log("|---|---|---:|---:|---:|---:|");
for (const [name, command] of Object.entries(OUTPUTS)) {
  for (const full of [false, true]) {
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await attempt(command, full));
    const last = runs.at(-1)?.result;
    if (full) files[name] = last?.fullOutput;
    const size = last?.fullOutput?.gzip.length;
    console.log(
      `| ${name} | ${full ? "yes" : "no"} | ${median(runs.map((r) => r.ms)).toFixed(0)} | ${median(runs.map((r) => r.peakRssMb)).toFixed(1)} | ${size ? `${(size / 1024 / 1024).toFixed(2)} MiB` : "—"} | ${size && last ? (last.outputBytes / size).toFixed(1) : "—"} |`,
    );
  }
}

console.log("\n## RunOutput write and streamed read\n");
console.log("| database | output | write ms | read (decompressed) ms | longest event-loop stall ms |");
console.log("|---|---|---:|---:|---:|");
for (const provider of DBS as Array<"sqlite" | "mysql">) {
  if (provider === "mysql" && !(await mysqlReachable())) continue;
  const test = createTestDatabase(provider);
  const database = await openDatabase(test.url);
  try {
    const db = database.db;
    const task = await db.task.create({
      data: {
        name: "bench",
        nameKey: "bench",
        mode: "SHELL",
        modeSettings: "{}",
        cron: "0 3 * * *",
        timezone: "UTC",
        notifySettings: "{}",
        notifyKeywords: "[]",
        env: "{}",
        searchText: "bench",
      },
    });
    const store = new RunOutputStore(db, 1024 ** 3, undefined, provider);
    for (const [name, file] of Object.entries(files)) {
      if (!file) continue;
      const run = await db.run.create({
        data: {
          taskId: task.id,
          trigger: "MANUAL",
          scheduledAt: new Date(),
          status: "RUNNING",
          output: "",
          matchedKeywords: "[]",
        },
      });
      let stall = 0;
      let tick = performance.now();
      const probe = setInterval(() => {
        const now = performance.now();
        stall = Math.max(stall, now - tick - 1);
        tick = now;
      }, 1);
      const writeStart = performance.now();
      await store.save([{ runId: run.id, output: file }]);
      const writeMs = performance.now() - writeStart;
      const readStart = performance.now();
      const opened = await store.open(run.id);
      const body = opened ? await text(opened.stream) : "";
      const readMs = performance.now() - readStart;
      clearInterval(probe);
      if (Buffer.byteLength(body) !== file.bytes)
        throw new Error(`read back ${Buffer.byteLength(body)} of ${file.bytes} bytes`);
      console.log(`| ${provider} | ${name} | ${writeMs.toFixed(0)} | ${readMs.toFixed(0)} | ${stall.toFixed(0)} |`);
    }
  } finally {
    await database.close();
    await test.drop();
  }
}

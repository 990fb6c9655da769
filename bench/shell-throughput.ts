// SHELL attempts per second, spawned in this process (as before the local worker) and by the local
// worker child (packages/worker), measured side by side in one run, with this process holding the
// memory an API process holds under load (fork copies the parent's page tables: the bigger the
// parent, the longer each fork blocks it). Run: pnpm exec tsx bench/shell-throughput.ts [--ballast-mb 600] [--runs 600] [--concurrency 32]
import { type ExecutionRequest, execute } from "@crondeck/executor";
import { LocalWorker } from "@crondeck/worker";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BALLAST_MB = arg("ballast-mb", 600);
const RUNS = arg("runs", 600);
const CONCURRENCY = arg("concurrency", 32);
const ROUNDS = arg("rounds", 3);

// Touched memory, as a busy API process holds (run output, task rows, caches).
const ballast: Buffer[] = [];
for (let i = 0; i < BALLAST_MB; i++) ballast.push(Buffer.alloc(1024 * 1024, i & 0xff));

const request = (runId: number): ExecutionRequest => ({
  runId,
  taskId: 1,
  scheduledAt: new Date(),
  attempt: 1,
  mode: "SHELL",
  settings: { command: "true" },
  timeoutSeconds: 30,
  idempotencyKey: `k${runId}`,
});

async function measure(
  run: (req: ExecutionRequest) => Promise<{ status: string }>,
): Promise<{ perSecond: number; loopMaxMs: number }> {
  let next = 0;
  let failed = 0;
  let loopMax = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    loopMax = Math.max(loopMax, now - last - 10);
    last = now;
  }, 10);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RUNS) {
        const result = await run(request(next++));
        if (result.status !== "SUCCEEDED") failed++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(probe);
  if (failed > 0) throw new Error(`${failed} runs did not succeed`);
  return { perSecond: RUNS / seconds, loopMaxMs: loopMax };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const worker = new LocalWorker();
await worker.run(request(-1)); // start the child outside the timing
const rows: Record<string, Array<{ perSecond: number; loopMaxMs: number }>> = {
  "in this process": [],
  "local worker child": [],
};
for (let round = 0; round < ROUNDS; round++) {
  rows["in this process"]?.push(await measure((req) => execute(req)));
  rows["local worker child"]?.push(await measure((req) => worker.run(req)));
}
await worker.close();
const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
console.log(
  `SHELL "true" × ${RUNS}, ${CONCURRENCY} at a time, medians of ${ROUNDS} rounds; this process's RSS ${rss} MB (${BALLAST_MB} MB ballast)`,
);
for (const [way, samples] of Object.entries(rows)) {
  console.log(
    `${way.padEnd(20)} ${median(samples.map((s) => s.perSecond))
      .toFixed(0)
      .padStart(5)} runs/s   event loop blocked up to ${median(samples.map((s) => s.loopMaxMs)).toFixed(0)} ms`,
  );
}

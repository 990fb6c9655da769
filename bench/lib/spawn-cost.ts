import { spawn } from "node:child_process";

// What one spawn() of `/bin/sh -c true` costs the event loop, at this process's RSS and with
// ballast added to reach the app's RSS under load. libuv forks on Linux, and fork() copies the
// parent's page tables, so the call's cost grows with the parent's resident memory.

export interface SpawnCostSpec {
  kind: "spawn";
  /** Extra resident memory (MB) to measure with, besides none. */
  ballastMb: number[];
  spawns: number;
}

export interface SpawnCost {
  rssMb: number;
  /** Mean time spawn() blocked the event loop. */
  msPerSpawn: number;
  /** Spawns per second one event loop could issue at that cost. */
  maxPerSecond: number;
}

async function measure(spawns: number): Promise<SpawnCost> {
  let blocked = 0;
  let exited = 0;
  await new Promise<void>((resolve) => {
    for (let i = 0; i < spawns; i++) {
      const t0 = performance.now();
      // The executor's options (packages/executor/src/shell.ts): own process group, piped output.
      const child = spawn("/bin/sh", ["-c", "true"], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
      blocked += performance.now() - t0;
      child.on("exit", () => {
        if (++exited === spawns) resolve();
      });
    }
  });
  const msPerSpawn = blocked / spawns;
  return { rssMb: process.memoryUsage.rss() / 2 ** 20, msPerSpawn, maxPerSecond: 1000 / msPerSpawn };
}

export async function runSpawnCost(spec: SpawnCostSpec): Promise<SpawnCost[]> {
  const results: SpawnCost[] = [];
  const ballast: Buffer[] = [];
  let held = 0;
  for (const mb of [0, ...spec.ballastMb]) {
    // Touched (filled) pages, so they are resident like a heap in use.
    for (; held < mb; held++) ballast.push(Buffer.alloc(2 ** 20, 1));
    results.push(await measure(spec.spawns));
  }
  return results;
}

// Entry of the process that runs one scenario: the spec comes as a JSON argument, the result goes
// back over IPC. The scenario module is imported only now, so a start-up baseline excludes the app.
import type { DbCostSpec } from "./db-cost.ts";
import type { FireSpec } from "./fire-scenario.ts";
import type { SpawnCostSpec } from "./spawn-cost.ts";
import type { StartupSpec } from "./startup-scenario.ts";

export type WorkerSpec = FireSpec | StartupSpec | DbCostSpec | SpawnCostSpec;
export type WorkerReply<T> = { ok: true; result: T } | { ok: false; error: string };

const spec = JSON.parse(process.argv[2] ?? "null") as WorkerSpec;

async function run(): Promise<unknown> {
  switch (spec.kind) {
    case "fire":
      return (await import("./fire-scenario.ts")).runFireScenario(spec);
    case "startup":
      return (await import("./startup-scenario.ts")).runStartupScenario(spec);
    case "dbcost":
      return (await import("./db-cost.ts")).runDbCost(spec);
    case "spawn":
      return (await import("./spawn-cost.ts")).runSpawnCost(spec);
  }
}

let reply: WorkerReply<unknown>;
try {
  reply = { ok: true, result: await run() };
} catch (err) {
  reply = { ok: false, error: (err as Error).stack ?? String(err) };
}
process.send?.(reply, () => process.disconnect?.());
// Anything the app left running (a timer, a socket) must not keep the bench waiting.
setTimeout(() => process.exit(0), 2000).unref();

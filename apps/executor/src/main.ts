// `pnpm executor`: one executor process (see README "Scaling out"). It loads no web server, no
// database client and no dashboard: just NATS, the worker and the executors.
import { readFileSync } from "node:fs";
import { ExecutorNode } from "./executor-node.ts";

function env(name: string): string | undefined {
  const file = process.env[`${name}_FILE`];
  if (file && process.env[name]) throw new Error(`set ${name} or ${name}_FILE, not both`);
  if (file) return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  return process.env[name] || undefined;
}

function positiveInt(name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return value;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
const threshold = LEVELS.indexOf((process.env.LOG_LEVEL ?? "info") as (typeof LEVELS)[number]);
const line = (level: (typeof LEVELS)[number]) => (obj: object, msg: string) => {
  if (LEVELS.indexOf(level) < (threshold < 0 ? 1 : threshold)) return;
  const fields = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);
};
// One JSON object a line; each attempt's start and end at debug.
const log = { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };

try {
  const natsUrl = env("NATS_URL");
  if (!natsUrl) throw new Error("NATS_URL is required (e.g. nats://127.0.0.1:4222)");
  const node = new ExecutorNode({
    natsUrl,
    name: env("EXECUTOR_NAME"),
    groups: (env("EXECUTOR_GROUPS") ?? "default").split(",").map((g) => g.trim()),
    concurrency: positiveInt("EXECUTOR_CONCURRENCY", 32),
    drainMs: positiveInt("EXECUTOR_DRAIN_SECONDS", 30) * 1000,
    version: "0.1.0",
    log,
  });
  // The environment's secrets are the executor's, never a task's: task-env.ts passes an
  // allow-list only. Drop NATS_URL from our own environment anyway.
  delete process.env.NATS_URL;
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "draining");
      node.stop().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, "drain failed");
          process.exit(1);
        },
      );
    });
  }
  await node.start();
} catch (err) {
  log.error({ err }, "executor could not start");
  process.exit(1);
}

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

/** A Crondeck instance in its own process (fixtures/instance.ts), to kill or stop. */
export interface Instance {
  child: ChildProcess;
  pid: number;
  name: string;
  /** JSON lines it printed after "ready", in order. */
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const serverDir = join(import.meta.dirname, "..", "..");

export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", join(serverDir, "test/fixtures/instance.ts")], {
    cwd: serverDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const lines: Array<Record<string, unknown>> = [];
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.ready) resolve(parsed);
      else lines.push(parsed);
    });
    void exited.then((code) => reject(new Error(`instance exited with ${code} before it was ready`)));
  });
  const first = await ready;
  return {
    child,
    pid: first.pid as number,
    name: first.name as string,
    lines,
    exited,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until `check` returns a value other than undefined (generous deadlines: CI is busy). */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

type RunTimes = {
  id: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
};

/**
 * Whether a FORBID skip told the truth: another run of the task had started and was still in
 * progress as recorded (its end not yet written) when the skip was decided, give or take a second.
 * FORBID across instances is judged on the records: a peer's run counts until its end is written.
 * After a fault several slots of a task can come due at once; the first runs, the others are
 * rightly skipped. A skip caused by a claim that never started (a dead instance's) is not true.
 */
export function forbidSkipIsTrue(skipped: RunTimes, runsOfTask: RunTimes[]): boolean {
  if (!/concurrency policy FORBID/.test(skipped.error ?? "")) return false;
  const at = skipped.createdAt.getTime();
  return runsOfTask.some((r) => {
    if (r.id === skipped.id || r.startedAt === null) return false;
    const recordedEnd = Math.max(r.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY, r.updatedAt.getTime());
    return r.startedAt.getTime() <= at + 1_000 && recordedEnd >= at - 1_000;
  });
}

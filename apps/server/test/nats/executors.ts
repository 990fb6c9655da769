import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** An executor process (`pnpm executor`), to kill or drain. */
export interface ExecutorProcess {
  child: ChildProcess;
  name: string;
  /** Its JSON log lines, in order. */
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const main = join(import.meta.dirname, "..", "..", "..", "executor", "src", "main.ts");

export async function startExecutor(env: Record<string, string>): Promise<ExecutorProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    // debug: the tests count each attempt's start in the executor's own log.
    env: { ...process.env, LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const lines: Array<Record<string, unknown>> = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lines.push(parsed);
      if (parsed.msg === "executor ready") resolve();
      if (parsed.msg === "executor could not start") reject(new Error(String(parsed.err)));
    });
    void exited.then((code) => reject(new Error(`executor exited with ${code} before it was ready`)));
  });
  return {
    child,
    name: env.EXECUTOR_NAME ?? "",
    lines,
    exited,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

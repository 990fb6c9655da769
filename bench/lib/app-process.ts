import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { freePort } from "@crondeck/testing";

// Crondeck started as its own process, as a user starts it, for the benches that time start-up
// and serve requests to it (start-ready.ts, scale.ts).

/** A process's resident set size in MB, from /proc. */
export function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export interface AppProcess {
  url: string;
  pid: number;
  /** Process start → the first `/readyz` 200 (polled every 10 ms). */
  readyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` in `cwd` on the SQLite file `databaseFile` (or any `databaseUrl`) and waits
 * for `/readyz` 200.
 */
export async function startApp(options: {
  label: string;
  cwd: string;
  args: string[];
  databaseFile?: string;
  databaseUrl?: string;
  timeoutMs?: number;
}): Promise<AppProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      DATABASE_URL: options.databaseUrl ?? `file:${options.databaseFile}`,
      ADMIN_PASSWORD: "bench-password-1",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      WEB_DIST: "/nonexistent",
      TZ: "UTC",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  const timeoutMs = options.timeoutMs ?? 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.label}: the server exited with ${child.exitCode}`);
    if (performance.now() - started > timeoutMs) {
      await stop();
      throw new Error(`${options.label}: not ready within ${timeoutMs / 1000} s`);
    }
    const ok = await fetch(`${url}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { url, pid: child.pid as number, readyMs: performance.now() - started, stop };
}

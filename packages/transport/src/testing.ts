// Test support: a private nats-server per test (own port, own store folder), to stop, kill and
// restart. Under CI=true a machine without nats-server fails the run instead of skipping.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect as tcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@crondeck/testing";

const CANDIDATES = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

function findBinary(): string | null {
  for (const path of CANDIDATES) if (existsSync(path)) return path;
  try {
    return execFileSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** Whether nats-server can be started here; throws under CI=true when it can't. */
export function natsServerAvailable(): boolean {
  const ok = findBinary() !== null;
  if (!ok && process.env.CI === "true")
    throw new Error("nats-server is required when CI=true (apt-get install nats-server)");
  return ok;
}

export interface TestNats {
  url: string;
  port: number;
  /** The server process's pid while it runs. */
  readonly pid: number | null;
  /** Stops it (SIGTERM) and keeps its store, for restart(). */
  stop(): Promise<void>;
  /** kill -9, store kept. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it and removes its store. */
  close(): Promise<void>;
}

export async function startNatsServer(): Promise<TestNats> {
  const binary = findBinary();
  if (!binary) throw new Error("nats-server not found");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "crondeck-nats-"));
  let child: ChildProcess | null = null;
  const start = async () => {
    const proc = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: "ignore" });
    child = proc;
    const deadline = Date.now() + 20_000;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null) throw new Error(`nats-server exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}`);
      await sleep(50);
    }
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get pid() {
      return (child as ChildProcess | null)?.pid ?? null;
    },
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
    restart: start,
    async close() {
      await stopWith("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcp(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

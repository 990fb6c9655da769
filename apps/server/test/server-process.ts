import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@crondeck/testing";

const serverDir = fileURLToPath(new URL("..", import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  /** Everything printed so far (stdout and stderr). */
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

/**
 * Starts `src/server.ts` through tsx (or `node <args>` in apps/server, e.g. the compiled build) as
 * a real process with exactly `env` plus PATH and HOME, a free port and a throwaway SQLite file.
 * `waitReady: false` returns at once (for a start that is meant to fail).
 */
export async function startServerProcess(
  env: Record<string, string>,
  { waitReady = true, args = ["--import", "tsx", "src/server.ts"] }: { waitReady?: boolean; args?: string[] } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "crondeck-proc-"));
  let output = "";
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      DATABASE_URL: `file:${join(dataDir, "test.db")}`,
      WEB_DIST: "/nonexistent",
      TZ: "UTC",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (waitReady) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the server did not answer /readyz within 60 s:\n${output}`);
      }
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      // The ready line is written just after listen() resolves.
      if (ok && output.includes("Crondeck is ready")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, port, dataDir, output: () => output, exited, stop };
}

/** Signs in through the API; returns headers that authenticate cookie writes (cookie + CSRF). */
export async function signIn(url: string, username: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" };
}

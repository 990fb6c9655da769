import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, signIn } from "./server-process.ts";

// `pnpm start` runs the compiled build: plain node on apps/server/dist and the workspace packages'
// dist/ (selected by --conditions=crondeck-dist), with no tsx or TypeScript. A resolve hook makes
// the process (and the local worker child, which inherits it) exit on any TypeScript module.

const root = join(import.meta.dirname, "../../..");
const serverDir = join(root, "apps/server");
const guard = join(import.meta.dirname, "fixtures/no-typescript.mjs");

let child: ChildProcess;
let url: string;
let output = "";
let dataDir: string;

beforeAll(async () => {
  execFileSync("pnpm", ["build:server"], { cwd: root, stdio: "pipe" });
  for (const pkg of ["core", "db", "executor", "notify", "scheduler", "worker"]) {
    expect(existsSync(join(root, "packages", pkg, pkg === "db" ? "dist/src/index.js" : "dist/index.js")), pkg).toBe(
      true,
    );
  }
  dataDir = mkdtempSync(join(tmpdir(), "crondeck-build-"));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ["--conditions=crondeck-dist", "--import", guard, "dist/server.js"], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      DATABASE_URL: `file:${join(dataDir, "build.db")}`,
      ADMIN_PASSWORD: "a-long-password-1",
      WEB_DIST: "/nonexistent",
      LOG_FORMAT: "json",
      TZ: "UTC",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the compiled server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the compiled server was not ready within 30 s:\n${output}`);
    const ok = await fetch(`${url}/readyz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("the compiled build", () => {
  it("serves the API and runs a SHELL task in a worker child that is compiled JavaScript too", async () => {
    const headers = await signIn(url, "admin", "a-long-password-1");
    const created = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "built", mode: "SHELL", cron: "0 0 * * *", command: "ps -o args= -p $PPID" }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: number };
    const { "content-type": _, ...bodiless } = headers;
    const fired = await fetch(`${url}/api/tasks/${task.id}/run`, { method: "POST", headers: bodiless });
    expect(fired.status, await fired.clone().text()).toBe(202);
    const { runId } = (await fired.json()) as { runId: number };
    let run: { status: string; output: string } = { status: "QUEUED", output: "" };
    const deadline = Date.now() + 20_000;
    while (["QUEUED", "RUNNING"].includes(run.status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await (await fetch(`${url}/api/runs/${runId}`, { headers })).json()) as typeof run;
    }
    expect(run.status, output).toBe("SUCCEEDED");
    // The worker child: node on the built child.js with the parent's condition and guard, no tsx.
    expect(run.output).toContain("packages/worker/dist/child.js");
    expect(run.output).toContain("--conditions=crondeck-dist");
    expect(run.output).not.toContain("tsx");
    expect(output).not.toContain("the compiled build loaded");
  });
});

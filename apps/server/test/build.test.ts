import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { natsServerAvailable, startNatsServer } from "@crondeck/transport-nats/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, signIn, startServerProcess } from "./server-process.ts";

// `pnpm start` runs the compiled build: plain node on apps/server/dist and the workspace packages'
// dist/ (selected by --conditions=crondeck-dist), with no tsx or TypeScript. A resolve hook makes
// the process (and the local worker child, which inherits it) exit on any TypeScript module.

const root = join(import.meta.dirname, "../../..");
const guard = join(import.meta.dirname, "fixtures/no-typescript.mjs");

let server: ServerProcess;

beforeAll(async () => {
  execFileSync("pnpm", ["build:server"], { cwd: root, stdio: "pipe" });
  for (const pkg of ["core", "db", "executor", "notify", "scheduler", "worker"]) {
    expect(existsSync(join(root, "packages", pkg, pkg === "db" ? "dist/src/index.js" : "dist/index.js")), pkg).toBe(
      true,
    );
  }
  server = await startServerProcess(
    { ADMIN_PASSWORD: "a-long-password-1", LOG_FORMAT: "json" },
    { args: ["--conditions=crondeck-dist", "--import", guard, "dist/server.js"] },
  );
}, 120_000);

afterAll(async () => server?.stop());

describe("the compiled build", () => {
  it("serves the API and runs a SHELL task in a worker child that is compiled JavaScript too", async () => {
    const { url } = server;
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
    expect(run.status, server.output()).toBe("SUCCEEDED");
    // The worker child: node on the built child.js with the parent's condition and guard, no tsx.
    expect(run.output).toContain("packages/worker/dist/child.js");
    expect(run.output).toContain("--conditions=crondeck-dist");
    expect(run.output).not.toContain("tsx");
    expect(server.output()).not.toContain("the compiled build loaded");
  });
});

describe.skipIf(!natsServerAvailable())("the compiled control plane and executor over NATS", () => {
  it("run a SHELL task pinned to the executor, neither loading TypeScript", async () => {
    execFileSync("pnpm", ["build:executor"], { cwd: root, stdio: "pipe" });
    const nats = await startNatsServer();
    const executorDir = join(root, "apps/executor");
    const executor = spawn(
      process.execPath,
      ["--conditions=crondeck-dist", "--import", guard, join(executorDir, "dist/main.js")],
      {
        cwd: executorDir,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          NATS_URL: nats.url,
          EXECUTOR_NAME: "built-exec",
          EXECUTOR_GROUPS: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let executorOutput = "";
    const ready = new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        executorOutput += chunk.toString();
        if (executorOutput.includes('"executor ready"')) resolve();
      };
      executor.stdout?.on("data", collect);
      executor.stderr?.on("data", collect);
      executor.once("exit", (code) => reject(new Error(`executor exited with ${code}: ${executorOutput}`)));
    });
    const control = await startServerProcess(
      { ADMIN_PASSWORD: "a-long-password-1", LOG_FORMAT: "json", NATS_URL: nats.url },
      { args: ["--conditions=crondeck-dist", "--import", guard, "dist/server.js"] },
    );
    try {
      await ready;
      const headers = await signIn(control.url, "admin", "a-long-password-1");
      const created = await fetch(`${control.url}/api/tasks`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          name: "pinned",
          mode: "SHELL",
          cron: "0 0 * * *",
          command: "ps -o args= -p $PPID",
          executorGroup: "built-exec",
        }),
      });
      expect(created.status).toBe(201);
      const task = (await created.json()) as { id: number };
      const { "content-type": _, ...bodiless } = headers;
      const fired = await fetch(`${control.url}/api/tasks/${task.id}/run`, { method: "POST", headers: bodiless });
      const { runId } = (await fired.json()) as { runId: number };
      let run: { status: string; output: string; executor: string } = { status: "QUEUED", output: "", executor: "" };
      const deadline = Date.now() + 30_000;
      while (["QUEUED", "RUNNING"].includes(run.status) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = (await (await fetch(`${control.url}/api/runs/${runId}`, { headers })).json()) as typeof run;
      }
      expect(run.status, `${control.output()}\n${executorOutput}`).toBe("SUCCEEDED");
      expect(run.executor).toBe("built-exec");
      // The attempt's parent is the executor: node on its built main.js, no tsx.
      expect(run.output).toContain("apps/executor/dist/main.js");
      expect(run.output).not.toContain("tsx");
      expect(control.output()).not.toContain("the compiled build loaded");
      expect(executorOutput).not.toContain("the compiled build loaded");
    } finally {
      executor.kill("SIGKILL");
      await control.stop();
      await nats.close();
    }
  }, 120_000);
});

import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import type { ExecutionRequest } from "@crondeck/executor";
import { afterAll, describe, expect, it } from "vitest";
import { LocalWorker } from "../src/index.ts";

const request = (runId: number, command: string, timeoutSeconds = 30): ExecutionRequest => ({
  runId,
  taskId: 1,
  scheduledAt: new Date(),
  attempt: 1,
  mode: "SHELL",
  settings: { command },
  timeoutSeconds,
  idempotencyKey: `k${runId}`,
});

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return true;
  }
  // Zombies count as gone: nothing in them runs.
  for (const entry of readdir()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ", 3);
      if (Number(pgrp) === pgid && state !== "Z") return false;
    } catch {}
  }
  return true;
}

function readdir(): string[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e));
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("the local worker process", () => {
  const worker = new LocalWorker();
  afterAll(() => worker.close());

  it("runs a SHELL attempt in the child: the shell is the worker's child, not this process's", async () => {
    let pgid = 0;
    const output: string[] = [];
    const result = await worker.run(request(1, "sleep 0.3; echo hello; exit 3"), {
      onSpawn: (id) => {
        pgid = id;
      },
      onOutput: (text) => output.push(text),
    });
    expect(result).toMatchObject({ status: "FAILED", exitCode: 3, output: "hello\n" });
    expect(output.join("")).toBe("hello\n");
    expect(pgid).toBeGreaterThan(0);
    expect(worker.pid).toBeGreaterThan(0);
    expect(worker.pid).not.toBe(process.pid);
  });

  it("forks from the worker", async () => {
    let pgid = 0;
    let parent: number | null = null;
    await worker.run(request(2, "sleep 0.5"), {
      onSpawn: (id) => {
        pgid = id;
        parent = parentOf(id);
      },
    });
    expect(pgid).toBeGreaterThan(0);
    expect(parent).toBe(worker.pid);
  });

  it("cancels through the signal", async () => {
    const controller = new AbortController();
    const running = worker.run(request(3, "sleep 30"), {
      signal: controller.signal,
      onSpawn: () => controller.abort(),
    });
    expect((await running).status).toBe("CANCELED");
  });

  it("when the worker dies mid-run: the attempt fails with the reason, its processes stop, the next attempt gets a new worker", async () => {
    let pgid = 0;
    const firstPid = worker.pid as number;
    const running = worker.run(request(4, "sleep 60 & sleep 60"), {
      onSpawn: (id) => {
        pgid = id;
        process.kill(firstPid, "SIGKILL");
      },
    });
    await expect(running).rejects.toThrow(/local worker process stopped/);
    // The run job records the error it carries: a code the dashboard translates.
    await expect(running).rejects.toMatchObject({
      runError: { code: "WORKER_STOPPED", params: { reason: "SIGKILL" } },
    });
    await until(() => groupGone(pgid), 10_000, "the dead worker's run to stop");
    const next = await worker.run(request(5, "echo again"));
    expect(next.output).toBe("again\n");
    expect(worker.pid).not.toBe(firstPid);
  });
});

describe("the local worker when its control plane dies", () => {
  it("exits, and its runs' process groups stop", async () => {
    const script = `
      import { LocalWorker } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).pathname)};
      const worker = new LocalWorker();
      void worker.run(
        { runId: 9, taskId: 1, scheduledAt: new Date(), attempt: 1, mode: "SHELL",
          settings: { command: "sleep 60 & sleep 60" }, timeoutSeconds: 600, idempotencyKey: "k" },
        { onSpawn: (pgid) => console.log(JSON.stringify({ pgid, worker: worker.pid })) },
      );`;
    const parent = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [chunk] = (await once(parent.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    const { pgid, worker } = JSON.parse(chunk.toString()) as { pgid: number; worker: number };
    parent.kill("SIGKILL");
    await until(() => parentOf(worker) === null, 10_000, "the worker to exit");
    await until(() => groupGone(pgid), 10_000, "its run's process group to stop");
  });
});

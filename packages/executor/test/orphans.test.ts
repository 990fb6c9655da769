import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { execute, stopOrphanGroup } from "../src/index.ts";
import { groupAlive } from "../src/process-group.ts";

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** A detached group like a SHELL run's whose spawner is gone: a shell and a background sleep. */
async function orphanGroup(env: Record<string, string>): Promise<number> {
  const child = spawn("/bin/sh", ["-c", "sleep 60 & sleep 60"], { detached: true, stdio: "ignore", env });
  await once(child, "spawn");
  child.unref();
  return child.pid as number;
}

describe("orphaned process groups", () => {
  it("stops a group whose members carry the run's id, and leaves a reused group id alone", async () => {
    const mine = await orphanGroup({ PATH: process.env.PATH ?? "", CRONDECK_RUN_ID: "4242" });
    const other = await orphanGroup({ PATH: process.env.PATH ?? "", CRONDECK_RUN_ID: "7" });
    try {
      expect(await stopOrphanGroup(other, 4242)).toBe(0);
      expect(groupAlive(other)).toBe(true);
      expect(await stopOrphanGroup(mine, 4242)).toBeGreaterThanOrEqual(1);
      expect(groupAlive(mine)).toBe(false);
    } finally {
      for (const pgid of [mine, other]) {
        try {
          process.kill(-pgid, "SIGKILL");
        } catch {}
      }
    }
  });

  it("a SHELL run's group stops itself when the process that spawned it dies", async () => {
    // The spawner is a separate Node process running execute(); it is killed with SIGKILL.
    const script = `
      import { execute } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).pathname)};
      void execute(
        { runId: 1, taskId: 1, scheduledAt: new Date(), attempt: 1, mode: "SHELL",
          settings: { command: "sleep 60 & sleep 60" }, timeoutSeconds: 600, idempotencyKey: "k" },
        { onSpawn: (pgid) => console.log(pgid) },
      );`;
    const spawner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [chunk] = (await once(spawner.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    const pgid = Number(chunk.toString().trim());
    expect(groupAlive(pgid)).toBe(true);
    spawner.kill("SIGKILL");
    // SIGTERM at once, SIGKILL 2 s later for what ignores it: gone well within 10 s on a busy machine.
    await until(() => !groupAlive(pgid), 10_000, "the orphaned group to stop");
  });

  it("a SHELL run keeps shell semantics inside the watchdog wrapper", async () => {
    const result = await execute({
      runId: 2,
      taskId: 1,
      scheduledAt: new Date(),
      attempt: 1,
      mode: "SHELL",
      settings: { command: 'echo "args:$#"; set -e; false; echo unreachable' },
      timeoutSeconds: 10,
      idempotencyKey: "k",
    });
    expect(result.output).toBe("args:0\n");
    expect(result.exitCode).toBe(1);
  });
});

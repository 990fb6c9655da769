import { mkdtempSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, signIn, startServerProcess } from "./server-process.ts";

// The real server process, started as `pnpm start` starts it: what a task can see of its
// environment, what the log says, and how it refuses bad settings.

const ADMIN_PASSWORD = "file-admin-password-7f3a";
const SMTP_SECRET = "smtp-secret-9c1e";

describe("the server process", () => {
  let server: ServerProcess;
  let auth: Record<string, string>;
  beforeAll(async () => {
    const secretDir = mkdtempSync(join(tmpdir(), "crondeck-sec-"));
    const passwordFile = join(secretDir, "admin_password");
    writeFileSync(passwordFile, `${ADMIN_PASSWORD}\n`);
    server = await startServerProcess({
      ADMIN_USER: "boss",
      ADMIN_PASSWORD_FILE: passwordFile,
      SMTP_URL: `smtp://mailer:${SMTP_SECRET}@127.0.0.1:1`,
      CRONDECK_TEST_SENTINEL: "sentinel-value-5d2b",
    });
    auth = await signIn(server.url, "boss", ADMIN_PASSWORD);
  });
  afterAll(async () => server?.stop());

  async function runTask(command: string) {
    const created = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        name: `t-${Math.random().toString(36).slice(2)}`,
        mode: "SHELL",
        cron: "0 0 1 1 *",
        command,
      }),
    });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: number };
    const { "content-type": _json, ...noBody } = auth;
    const started = await fetch(`${server.url}/api/tasks/${task.id}/run`, { method: "POST", headers: noBody });
    const { runId } = (await started.json()) as { runId: number };
    for (;;) {
      const run = (await (await fetch(`${server.url}/api/runs/${runId}`, { headers: auth })).json()) as {
        status: string;
        output: string;
        error: string | null;
      };
      if (!["QUEUED", "RUNNING"].includes(run.status)) return { taskId: task.id, runId, ...run };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("gives a SHELL task an allow-listed environment: no database URL, SMTP or admin secrets", async () => {
    const run = await runTask("printenv");
    expect(run.status).toBe("SUCCEEDED");
    const env = Object.fromEntries(
      run.output
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(env.PATH).toBeTruthy();
    expect(env.CRONDECK_RUN_ID).toBe(String(run.runId));
    for (const name of [
      "DATABASE_URL",
      "SMTP_URL",
      "ADMIN_PASSWORD",
      "ADMIN_PASSWORD_FILE",
      "CRONDECK_TEST_SENTINEL",
    ]) {
      expect(env, name).not.toHaveProperty(name);
    }
    expect(run.output).not.toContain(SMTP_SECRET);
    expect(run.output).not.toContain(ADMIN_PASSWORD);
    expect(run.output).not.toContain(server.dataDir);
  });
});

describe("the server process's log", () => {
  let server: ServerProcess;
  let auth: Record<string, string>;
  const lines = () =>
    server
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: number; msg: string; [key: string]: unknown });
  beforeAll(async () => {
    server = await startServerProcess({ ADMIN_USER: "boss", ADMIN_PASSWORD, LOG_LEVEL: "info" });
    auth = await signIn(server.url, "boss", ADMIN_PASSWORD);
  });
  afterAll(async () => server?.stop());

  it("opens with where to go and how to sign in, listening on loopback only by default", async () => {
    const ready = lines().find((l) => l.msg.startsWith("Crondeck is ready"));
    expect(ready?.msg).toContain(`open http://127.0.0.1:${server.port} and sign in as "boss" with ADMIN_PASSWORD`);
    expect(ready?.msg).toContain("set HOST=0.0.0.0");
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    if (outside) {
      const reached = await fetch(`http://${outside}:${server.port}/healthz`).then(
        () => true,
        () => false,
      );
      expect(reached, `reachable on ${outside}`).toBe(false);
    }
  });

  it("logs a failed, timed-out or canceled run at warn with task, run id, status and error", async () => {
    const created = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "breaks", mode: "SHELL", cron: "0 0 1 1 *", command: "exit 7" }),
    });
    const task = (await created.json()) as { id: number };
    const { "content-type": _json, ...noBody } = auth;
    const { runId } = (await (
      await fetch(`${server.url}/api/tasks/${task.id}/run`, { method: "POST", headers: noBody })
    ).json()) as { runId: number };
    const deadline = Date.now() + 20_000;
    let line: ReturnType<typeof lines>[number] | undefined;
    while (!line && Date.now() < deadline) {
      line = lines().find((l) => l.runId === runId);
      if (!line) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({
      level: 40,
      taskId: task.id,
      task: "breaks",
      runId,
      status: "FAILED",
      error: "exited with code 7",
    });
    expect(line?.msg).toContain('task "breaks" ended FAILED: exited with code 7');
  });

  it("keeps probes and access lines out of the info log", async () => {
    for (let i = 0; i < 5; i++) {
      await fetch(`${server.url}/healthz`);
      await fetch(`${server.url}/readyz`);
      await fetch(`${server.url}/api/tasks`, { headers: auth });
    }
    await new Promise((r) => setTimeout(r, 200));
    const all = lines();
    expect(all.filter((l) => JSON.stringify(l).includes("/healthz"))).toEqual([]);
    expect(all.filter((l) => JSON.stringify(l).includes("/readyz"))).toEqual([]);
    expect(all.filter((l) => l.msg === "request completed" || l.msg === "incoming request")).toEqual([]);
    expect(all.length).toBeLessThan(12);
  });
});

describe("a first start without ADMIN_PASSWORD, on a terminal-style log", () => {
  it("shows the generated password unmistakably and readable lines", async () => {
    const server = await startServerProcess({ LOG_FORMAT: "pretty" });
    try {
      const out = server.output();
      const password = /password: (\S+)/.exec(out)?.[1] as string;
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(out).toMatch(/user: {5}admin/);
      expect(out).toContain(
        `open http://127.0.0.1:${server.port} and sign in as "admin" with the password shown above`,
      );
      expect(out.split("\n").some((l) => l.startsWith("{"))).toBe(false);
      expect((await signIn(server.url, "admin", password)).cookie).toMatch(/^crondeck_session=/);
    } finally {
      await server.stop();
    }
  });
});

describe("refusing bad settings at start", () => {
  it("refuses a short ADMIN_PASSWORD with a clear message", async () => {
    const server = await startServerProcess({ ADMIN_PASSWORD: "x" }, { waitReady: false });
    try {
      expect(await server.exited).toBe(2);
      expect(server.output()).toContain("ADMIN_PASSWORD must be at least 12 characters");
      expect(server.output()).not.toContain('"x"');
    } finally {
      await server.stop();
    }
  });
});

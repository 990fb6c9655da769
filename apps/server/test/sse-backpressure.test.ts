import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createTestDatabase, type TestDatabase } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./helpers.ts";
import { rawSseEvents } from "./sse-events.ts";

// Issue 9.7: a follower that reads slower than the run prints must not cost the server memory
// equal to the output. The server runs in its own process so its RSS can be read from /proc.
// SQLite only: the stream never touches the database while the run is live.

const OUTPUT_BYTES = 200 * 1024 * 1024;
const BURSTS = 40;
/**
 * 200 MB of lines in 5 MB bursts with a short pause between them, as real floods come: the
 * pauses let the garbage collector keep up on a busy machine, so the RSS measured is what the
 * server holds, not how far its collector lags behind 300 MB/s of garbage.
 */
const FLOOD = `for i in $(seq ${BURSTS}); do yes 'crondeck slow follower line 0123456789' | head -c ${OUTPUT_BYTES / BURSTS}; sleep 0.02; done`;
const MB = 1024 * 1024;

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) * 1024;
}

describe("a slow live follower", () => {
  let db: TestDatabase;
  let server: ChildProcess;
  let base: string;
  let token: string;
  let gateDir: string;

  beforeAll(async () => {
    db = createTestDatabase("sqlite");
    gateDir = mkdtempSync(join(tmpdir(), "crondeck-sse-"));
    server = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/serve.ts")], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, DATABASE_URL: db.url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (!server.stdout) throw new Error("no stdout from the server");
    const [line] = (await once(createInterface({ input: server.stdout }), "line")) as [string];
    const started = JSON.parse(line) as { port: number; token: string };
    base = `http://127.0.0.1:${started.port}`;
    token = started.token;
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await once(server, "exit");
    }
    await db?.drop();
    if (gateDir) rmSync(gateDir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  const finished = (runId: number, timeoutMs: number) =>
    eventually(
      async () => {
        const run = (await api("GET", `/api/runs/${runId}`)).json;
        return ["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED", "LOST"].includes(run.status as string)
          ? run
          : undefined;
      },
      timeoutMs,
      `run ${runId} to finish`,
    );

  it("costs bounded memory while 200 MB flow, is told what was skipped, and still gets the final status", async () => {
    // The same flood with nobody following first: the heap grows to what running it costs, so
    // what follows measures the follower, not the first churn of 200 MB through the process.
    const warmUp = await api("POST", "/api/tasks", {
      name: "floods its output unwatched",
      mode: "SHELL",
      cron: "0 0 1 1 *",
      timeoutSeconds: 300,
      command: FLOOD,
    });
    const warmUpRun = await api("POST", `/api/tasks/${warmUp.json.id}/run`);
    expect((await finished(warmUpRun.json.runId as number, 60_000)).status).toBe("SUCCEEDED");

    const gate = join(gateDir, "go");
    const task = await api("POST", "/api/tasks", {
      name: "floods its output",
      mode: "SHELL",
      cron: "0 0 1 1 *",
      timeoutSeconds: 300,
      // Waits for the follower to be attached and stalled, then prints 200 MB of lines.
      command: `while [ ! -f ${gate} ]; do sleep 0.05; done; ${FLOOD}`,
    });
    expect(task.status).toBe(201);
    const started = await api("POST", `/api/tasks/${task.json.id}/run`);
    expect(started.status).toBe(202);
    const runId = started.json.runId as number;
    await eventually(
      async () => ((await api("GET", `/api/runs/${runId}`)).json.status === "RUNNING" ? true : undefined),
      20_000,
      "the run to start",
    );

    // A raw HTTP client that reads the first event, then stops reading: the kernel buffers fill
    // and the server's writes back up, as with a follower on a slow link.
    const socket: Socket = connect(Number(new URL(base).port), "127.0.0.1");
    await once(socket, "connect");
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.write(
      `GET /api/runs/${runId}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    await eventually(
      async () => (Buffer.concat(received).includes("event: status") ? true : undefined),
      10_000,
      "the first status event",
    );
    socket.pause();

    const t0 = Date.now();
    const baseline = rssBytes(server.pid as number);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(server.pid as number));
    }, 50);
    let final: Record<string, unknown>;
    try {
      writeFileSync(gate, "");
      final = await finished(runId, 60_000);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssBytes(server.pid as number));
    const growth = peak - baseline;
    console.log(
      `slow follower: server RSS ${(baseline / MB).toFixed(0)} MB → peak ${(peak / MB).toFixed(0)} MB (+${(growth / MB).toFixed(1)} MB) while ${OUTPUT_BYTES / MB} MB flowed in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(final.status).toBe("SUCCEEDED");
    expect(final.outputBytes).toBe(OUTPUT_BYTES);

    // Now read everything the server kept for this follower, up to the response's last chunk.
    socket.resume();
    const lastChunk = Buffer.from("\r\n0\r\n\r\n");
    await eventually(
      async () => {
        const tail = received.at(-1);
        return tail && Buffer.concat(received.slice(-2)).subarray(-lastChunk.length).equals(lastChunk)
          ? true
          : undefined;
      },
      30_000,
      "the end of the stream",
    );
    socket.destroy();
    const events = rawSseEvents(Buffer.concat(received).toString("latin1"));
    const shown = events
      .filter((e) => e.event === "output")
      .reduce((sum, e) => sum + Buffer.byteLength(JSON.parse(e.data).text as string), 0);
    const gaps = events.filter((e) => e.event === "gap").map((e) => JSON.parse(e.data).skippedBytes as number);
    const skipped = gaps.reduce((sum, n) => sum + n, 0);
    console.log(
      `slow follower: got ${(shown / MB).toFixed(2)} MB of output and ${gaps.length} gap event(s) skipping ${(skipped / MB).toFixed(2)} MB (${skipped} bytes)`,
    );

    expect(growth, "server RSS growth").toBeLessThan(100 * MB);
    expect(gaps.length).toBeGreaterThan(0);
    // Every byte is either delivered or counted as skipped.
    expect(shown + skipped).toBe(OUTPUT_BYTES);
    // The status events are never dropped: the last ones say the run ended, then the stream ends.
    const statuses = events.filter((e) => e.event === "status").map((e) => JSON.parse(e.data).status);
    expect(statuses[0]).toBe("RUNNING");
    expect(statuses.at(-1)).toBe("SUCCEEDED");
    expect(events.at(-1)?.event).toBe("end");
    expect(events.at(-2)?.event).toBe("status");
  });
});

import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { SseWriter } from "../src/lib/sse.ts";
import { eventually } from "./helpers.ts";
import { rawSseEvents } from "./sse-events.ts";

// The bounded writer behind /api/runs/:id/stream, over a real socket whose reader has stopped:
// what a follower gets once it reads again.

interface Follower {
  sse: SseWriter;
  res: ServerResponse;
  /** Resumes reading and returns every event up to the end of the response. */
  readAll(): Promise<Array<{ event: string; data: unknown }>>;
  close(): Promise<void>;
}

/** A server with one SSE response and a raw client that stops reading after the headers. */
async function stalledFollower(limitBytes: number): Promise<Follower> {
  let resolveRes: (res: ServerResponse) => void = () => {};
  const gotRes = new Promise<ServerResponse>((resolve) => {
    resolveRes = resolve;
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    resolveRes(res);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const res = await gotRes;
  await eventually(async () => (received.length > 0 ? true : undefined), 5000, "the response headers");
  socket.pause();
  const sse = new SseWriter(res, limitBytes);
  // Fill the kernel's buffers until the response says it is backed up.
  const filler = "f".repeat(64 * 1024);
  while (!res.writableNeedDrain) sse.output(filler);
  return {
    sse,
    res,
    async readAll() {
      socket.resume();
      await once(socket, "end");
      return rawSseEvents(Buffer.concat(received).toString("latin1"))
        .map((e) => ({ event: e.event, data: e.data ? JSON.parse(e.data) : undefined }))
        .filter((e) => !(e.event === "output" && (e.data as { text: string }).text.startsWith("fff")));
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("SseWriter behind a stalled follower", () => {
  it("keeps the newest output within the limit, marks the gap where it was dropped, and drops no status", async () => {
    const f = await stalledFollower(1000);
    try {
      const sent: string[] = [];
      for (let i = 0; i < 50; i++) {
        // Two-byte characters, so a cut in the middle of one would show as U+FFFD.
        const line = `line ${String(i).padStart(2, "0")} ${"é".repeat(40)}\n`;
        sent.push(line);
        f.sse.output(line);
        if (i === 10) f.sse.event("status", { status: "RUNNING", attempt: 1 });
      }
      f.sse.event("status", { status: "SUCCEEDED" });
      f.sse.event("end");
      f.sse.end();
      const events = await f.readAll();

      expect(events.filter((e) => e.event === "status").map((e) => (e.data as { status: string }).status)).toEqual([
        "RUNNING",
        "SUCCEEDED",
      ]);
      expect(events.at(-1)?.event).toBe("end");
      const output = events.filter((e) => e.event === "output").map((e) => (e.data as { text: string }).text);
      const text = output.join("");
      expect(text).not.toContain("\ufffd");
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
      // What arrived is the newest output, ending with the last line.
      expect(sent.join("").endsWith(text)).toBe(true);
      const gaps = events
        .filter((e) => e.event === "gap")
        .map((e) => (e.data as { skippedBytes: number }).skippedBytes);
      const skipped = gaps.reduce((sum, n) => sum + n, 0);
      // Every byte of the lines either arrived or is counted in a gap.
      expect(gaps.length).toBeGreaterThan(0);
      expect(skipped + Buffer.byteLength(text)).toBe(Buffer.byteLength(sent.join("")));
      expect(f.sse.skippedBytes).toBe(skipped);
      // The gap comes before the newest output it precedes.
      const lastGap = events.findLastIndex((e) => e.event === "gap");
      expect(events.slice(lastGap + 1).some((e) => e.event === "output")).toBe(true);
    } finally {
      await f.close();
    }
  });

  it("lets a reset replace what was queued, and clears before marking a gap inside it", async () => {
    const f = await stalledFollower(100);
    try {
      f.sse.output("old text that the reset replaces\n");
      f.sse.output(`${"x".repeat(150)}new tail\n`, true);
      f.sse.output("after\n");
      f.sse.event("end");
      f.sse.end();
      const events = await f.readAll();
      const kinds = events.map((e) => e.event);
      // The reset (as an empty clear) comes first, then the gap, then the newest text.
      const clear = events.findIndex((e) => e.event === "output" && (e.data as { reset?: boolean }).reset);
      const gap = kinds.indexOf("gap");
      expect(clear).toBeGreaterThanOrEqual(0);
      expect(gap).toBeGreaterThan(clear);
      const after = events
        .slice(gap + 1)
        .filter((e) => e.event === "output")
        .map((e) => (e.data as { text: string }).text)
        .join("");
      expect(after.endsWith("new tail\nafter\n")).toBe(true);
      expect(Buffer.byteLength(after)).toBeLessThanOrEqual(100);
      const skippedBytes = (events[gap]?.data as { skippedBytes?: number } | undefined)?.skippedBytes ?? -1;
      expect(skippedBytes + Buffer.byteLength(after)).toBe(Buffer.byteLength(`${"x".repeat(150)}new tail\nafter\n`));
      expect(events.some((e) => e.event === "output" && (e.data as { text: string }).text.includes("old text"))).toBe(
        false,
      );
      expect(kinds.at(-1)).toBe("end");
    } finally {
      await f.close();
    }
  });
});

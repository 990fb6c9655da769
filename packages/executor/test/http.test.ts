import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execute } from "../src/index.ts";
import { httpRequest } from "./helpers.ts";

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const BIG_BODY_BYTES = 5 * 1024 * 1024;

describe("execute HTTP", () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const url = req.url ?? "/";
        received.push({ method: req.method ?? "", url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (url === "/ok") {
          res.end("hello from the server ✓");
        } else if (url === "/fail") {
          res.writeHead(500, { "content-type": "text/plain" }).end("boom");
        } else if (url === "/created") {
          res.writeHead(201).end("created");
        } else if (url === "/redirect") {
          res.writeHead(302, { location: "/ok" }).end();
        } else if (url === "/slow") {
          // Never answers: only the attempt's deadline or a cancel ends the request.
        } else if (url === "/slow-body") {
          res.writeHead(200);
          res.write("partial body before the stall\n");
        } else if (url === "/big") {
          streamBigBody(res);
        } else {
          res.writeHead(404).end("not found");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function lastReceived(path: string): Received {
    const found = received.findLast((r) => r.url === path);
    if (!found) throw new Error(`server never received ${path}`);
    return found;
  }

  it("200 succeeds with the response body", async () => {
    const result = await execute(httpRequest(`${base}/ok`));
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      httpStatus: 200,
      exitCode: null,
      error: null,
      output: "hello from the server ✓",
      truncated: false,
    });
    expect(result.outputBytes).toBe(Buffer.byteLength("hello from the server ✓"));
  });

  it("any 2xx succeeds", async () => {
    const result = await execute(httpRequest(`${base}/created`));
    expect(result).toMatchObject({ status: "SUCCEEDED", httpStatus: 201, output: "created" });
  });

  it("500 fails with the status and keeps the body", async () => {
    const result = await execute(httpRequest(`${base}/fail`));
    expect(result).toMatchObject({ status: "FAILED", httpStatus: 500, output: "boom" });
    expect(result.error).toContain("HTTP 500");
    expect(result).toMatchObject({ errorCode: "HTTP_STATUS", errorParams: { status: 500 } });
  });

  it("does not follow redirects: a 3xx is recorded as FAILED", async () => {
    const before = received.filter((r) => r.url === "/ok").length;
    const result = await execute(httpRequest(`${base}/redirect`));
    expect(result).toMatchObject({ status: "FAILED", httpStatus: 302 });
    expect(result.error).toContain("redirects are not followed");
    expect(result.error).toContain("/ok");
    expect(result.errorCode).toBe("HTTP_REDIRECT");
    expect(result.errorParams).toMatchObject({ status: 302, location: expect.stringContaining("/ok") });
    expect(received.filter((r) => r.url === "/ok").length).toBe(before);
  });

  it("a server that never answers times out", async () => {
    const result = await execute(httpRequest(`${base}/slow`, { timeoutSeconds: 1 }));
    expect(result).toMatchObject({ status: "TIMED_OUT", httpStatus: null });
    expect(result.error).toContain("timed out");
    expect(result).toMatchObject({ errorCode: "TIMED_OUT", errorParams: { seconds: 1 } });
  });

  it("a body that stalls times out with the status and the partial body kept", async () => {
    const result = await execute(httpRequest(`${base}/slow-body`, { timeoutSeconds: 1 }));
    expect(result).toMatchObject({ status: "TIMED_OUT", httpStatus: 200 });
    expect(result.output).toBe("partial body before the stall\n");
  });

  it("cancel through the AbortSignal ends the request as CANCELED", async () => {
    const controller = new AbortController();
    const run = execute(httpRequest(`${base}/slow`, { timeoutSeconds: 60 }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const result = await run;
    expect(result).toMatchObject({ status: "CANCELED", error: "canceled", errorCode: "CANCELED" });
  });

  it("a refused connection fails with the reason", async () => {
    const result = await execute(httpRequest("http://127.0.0.1:1/"));
    expect(result).toMatchObject({ status: "FAILED", httpStatus: null });
    expect(result.error).toMatch(/ECONNREFUSED 127\.0\.0\.1:1/);
    expect(result).toMatchObject({ errorCode: "HTTP_CONNECTION_REFUSED", errorParams: { address: "127.0.0.1:1" } });
  });

  // Generous: a host without a reachable resolver can take a while to give up.
  it("an unresolvable host fails with the reason", { timeout: 60_000 }, async () => {
    const result = await execute(httpRequest("http://crondeck-test.invalid/"));
    expect(result.status).toBe("FAILED");
    expect(result.error).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(result).toMatchObject({ errorCode: "HTTP_HOST_NOT_FOUND", errorParams: { host: "crondeck-test.invalid" } });
  });

  it("a malformed URL fails without throwing", async () => {
    const result = await execute(httpRequest("not a url"));
    expect(result.status).toBe("FAILED");
    expect(result.error).toBeTruthy();
    expect(result.errorCode).toBe("HTTP_INVALID_URL");
  });

  it("POST sends the body, the task headers and the run headers", async () => {
    const result = await execute(
      httpRequest(`${base}/created`, {
        runId: 555,
        httpMethod: "POST",
        httpHeaders: { "Content-Type": "application/json", "X-Team": "ops" },
        httpBody: '{"hello":"世界"}',
        idempotencyKey: "task-7@2026-11-23T10:15:00.000Z",
      }),
    );
    expect(result.status).toBe("SUCCEEDED");
    const got = lastReceived("/created");
    expect(got.method).toBe("POST");
    expect(got.body).toBe('{"hello":"世界"}');
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["x-team"]).toBe("ops");
    expect(got.headers["x-crondeck-run-id"]).toBe("555");
    expect(got.headers["idempotency-key"]).toBe("task-7@2026-11-23T10:15:00.000Z");
    expect(got.headers["user-agent"]).toBe("Crondeck");
  });

  it("GET sends no body; the task may override User-Agent but not the run headers", async () => {
    await execute(
      httpRequest(`${base}/ok`, {
        runId: 9,
        httpBody: "ignored for GET",
        httpHeaders: { "user-agent": "my-agent", "idempotency-key": "forged" },
        idempotencyKey: "real-key",
      }),
    );
    const got = lastReceived("/ok");
    expect(got.method).toBe("GET");
    expect(got.body).toBe("");
    expect(got.headers["user-agent"]).toBe("my-agent");
    expect(got.headers["idempotency-key"]).toBe("real-key");
    expect(got.headers["x-crondeck-run-id"]).toBe("9");
  });

  it("caps a big response body, counting every byte", async () => {
    const result = await execute(httpRequest(`${base}/big`, { timeoutSeconds: 60, outputLimitBytes: 1000 }));
    expect(result).toMatchObject({ status: "SUCCEEDED", truncated: true, outputBytes: BIG_BODY_BYTES });
    expect(result.output).toBe(`${"b".repeat(500)}\n…[${BIG_BODY_BYTES - 1000} bytes truncated]…\n${"e".repeat(500)}`);
  });

  it("streams the body to onOutput", async () => {
    const chunks: string[] = [];
    const result = await execute(httpRequest(`${base}/ok`), { onOutput: (text) => chunks.push(text) });
    expect(chunks.join("")).toBe(result.output);
    expect(chunks.length).toBeGreaterThan(0);
  });
});

/** 5 MiB: "b" at the start, "e" at the end, "m" between, written with backpressure. */
function streamBigBody(res: ServerResponse): void {
  const chunkSize = 64 * 1024;
  let sent = 0;
  const writeMore = () => {
    while (sent < BIG_BODY_BYTES) {
      const size = Math.min(chunkSize, BIG_BODY_BYTES - sent);
      const chunk = Buffer.alloc(size, "m");
      if (sent === 0) chunk.fill("b", 0, 1000);
      if (sent + size === BIG_BODY_BYTES) chunk.fill("e", size - 1000);
      sent += size;
      if (!res.write(chunk)) return void res.once("drain", writeMore);
    }
    res.end();
  };
  res.writeHead(200, { "content-type": "text/plain" });
  writeMore();
}

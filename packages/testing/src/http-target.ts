import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  /** The body as text. */
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** How to answer one request: a string goes as text/plain, anything else as JSON. Default 200 "ok". */
export type Reply = { status?: number; body?: unknown; delayMs?: number } | undefined;

export interface HttpTarget {
  url: string;
  port: number;
  /** Every request, in the order it arrived. */
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 for HTTP tasks and webhooks to call. `reply` picks the answer
 * for each request (its 0-based index is the second argument).
 */
export async function startHttpTarget(
  reply: (req: ReceivedRequest, index: number) => Reply = () => undefined,
): Promise<HttpTarget> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json };
      const index = received.length;
      received.push(request);
      const answer = reply(request, index) ?? {};
      const send = () => {
        const payload = answer.body ?? "ok";
        const text = typeof payload === "string";
        res.writeHead(answer.status ?? 200, { "content-type": text ? "text/plain" : "application/json" });
        res.end(text ? payload : JSON.stringify(payload));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

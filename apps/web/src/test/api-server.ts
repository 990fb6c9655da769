import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  url: string;
  body: unknown;
  headers: IncomingHttpHeaders;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | undefined;
type Handler = (req: Recorded) => Answer | Promise<Answer>;

/**
 * A real HTTP server on 127.0.0.1:0 that answers like the Crondeck API for the routes a test
 * cares about and records every request, so component tests exercise the real fetch path.
 */
export async function startApiServer(handler: Handler) {
  const requests: Recorded[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type, accept, x-csrf-token");
    res.setHeader("access-control-expose-headers", "retry-after");
    res.setHeader("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE");
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const recorded: Recorded = {
      method: req.method ?? "",
      url: req.url ?? "",
      body: text ? JSON.parse(text) : null,
      headers: req.headers,
    };
    requests.push(recorded);
    const answer = (await handler(recorded)) ?? {
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "no" },
    };
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Real servers for the tests: an SMTP server (smtp-server) and an HTTP receiver (node:http), both on
// 127.0.0.1 with an OS-assigned port.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import type { RunSummary } from "../src/index.ts";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string | null;
}

export interface SmtpHarness {
  port: number;
  messages: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpServer(overrides: Partial<SMTPServerOptions> = {}): Promise<SmtpHarness> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          user: typeof session.user === "string" ? session.user : null,
        });
        callback();
      });
    },
    ...overrides,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  rawBody: string;
  body: unknown;
}

export type Reply = { status?: number; body?: unknown; delayMs?: number } | undefined;

export interface HttpHarness {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** An HTTP receiver; `reply` picks the answer for the n-th request (0-based), 200 `{"ok":true}` by default. */
export async function startHttpServer(reply: (req: ReceivedRequest, index: number) => Reply = () => undefined) {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: unknown = null;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
      const received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawBody, body };
      const index = requests.length;
      requests.push(received);
      const answer = reply(received, index) ?? {};
      const send = () => {
        const payload = answer.body ?? { ok: true };
        res.writeHead(answer.status ?? 200, {
          "content-type": typeof payload === "string" ? "text/plain" : "application/json",
        });
        res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies HttpHarness;
}

/** A port nothing listens on: bound once by us, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sampleRun(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    taskId: 7,
    taskName: "backup-db",
    mode: "SHELL",
    trigger: "SCHEDULE",
    status: "FAILED",
    scheduledAt: new Date("2026-11-23T02:00:00.000Z"),
    startedAt: new Date("2026-11-23T02:00:00.250Z"),
    finishedAt: new Date("2026-11-23T02:00:03.750Z"),
    durationMs: 3500,
    exitCode: 2,
    httpStatus: null,
    output: "dumping tables...\nERROR: disk full\n",
    truncated: false,
    error: "exited with code 2",
    matchedKeywords: [],
    runId: 4242,
    attempt: 1,
    ...overrides,
  };
}

/** The decoded text of each MIME part of a raw message, keyed by content type (enough for nodemailer's output). */
export function mimeParts(raw: string): Record<string, string> {
  const [, headerBlock = ""] = /^([\s\S]*?)\r?\n\r?\n/.exec(raw) ?? [];
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headerBlock)?.[1];
  const sections = boundary ? raw.split(`--${boundary}`).slice(1, -1) : [raw];
  const parts: Record<string, string> = {};
  for (const section of sections) {
    const split = /\r?\n\r?\n/.exec(section.replace(/^\r?\n/, ""));
    const trimmed = section.replace(/^\r?\n/, "");
    if (!split) continue;
    const headers = trimmed.slice(0, split.index);
    const body = trimmed.slice(split.index + split[0].length);
    const type = /content-type:\s*([^;\r\n]+)/i.exec(headers)?.[1]?.trim().toLowerCase() ?? "text/plain";
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(headers)?.[1]?.toLowerCase() ?? "7bit";
    parts[type] = decodeBody(body, encoding);
  }
  return parts;
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const unfolded = body.replace(/=\r?\n/g, "");
    const bytes: number[] = [];
    for (let i = 0; i < unfolded.length; i++) {
      const hex = unfolded.slice(i + 1, i + 3);
      if (unfolded[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(unfolded[i] ?? "", "utf8"));
      }
    }
    return Buffer.from(bytes).toString("utf8");
  }
  return body;
}

export function headerOf(raw: string, name: string): string | undefined {
  const headerBlock = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, " ");
  return new RegExp(`^${name}:\\s*(.*)$`, "im").exec(unfolded)?.[1];
}

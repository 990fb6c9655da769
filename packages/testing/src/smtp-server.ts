// A real SMTP server for notification tests: smtp-server on 127.0.0.1 with an OS-assigned port,
// keeping every accepted message with its envelope, its raw text and its parsed content.

import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

export interface ReceivedMail {
  /** MAIL FROM and RCPT TO as the server saw them (the envelope, not the headers). */
  from: string;
  to: string[];
  /** The user who logged in, or null without AUTH. */
  user: string | null;
  /** The message as it arrived (headers and MIME parts), for tests of the encoding itself. */
  raw: string;
  subject: string;
  text: string;
  html: string;
  header(name: string): string | undefined;
}

export interface SmtpServerOptions {
  /** Recipients for which RCPT TO is answered with 550. */
  refuse?: (address: string) => boolean;
  /** When set, AUTH succeeds only with this password (any user name). */
  password?: string;
  /** smtp-server options that replace ours (e.g. an onData that refuses every message). */
  server?: Partial<SMTPServerOptions>;
}

export interface SmtpHarness {
  port: number;
  messages: ReceivedMail[];
  /** Messages carrying the given X-Crondeck-Run-Id (the engine's) or X-Crondeck-Task-Id header. */
  forRun(runId: number): ReceivedMail[];
  forTask(taskId: number): ReceivedMail[];
  close(): Promise<void>;
}

function toReceived(
  parsed: ParsedMail,
  raw: string,
  envelope: { from: string; to: string[]; user: string | null },
): ReceivedMail {
  return {
    ...envelope,
    raw,
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    header: (name) => {
      const value = parsed.headers.get(name.toLowerCase());
      return value === undefined ? undefined : String(value);
    },
  };
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpHarness> {
  const messages: ReceivedMail[] = [];
  const serverOptions: SMTPServerOptions = {
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.password !== undefined && auth.password !== options.password) {
        return callback(Object.assign(new Error("invalid credentials"), { responseCode: 535 }));
      }
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        return callback(Object.assign(new Error(`mailbox unavailable: ${address.address}`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((r) => r.address),
        user: typeof session.user === "string" ? session.user : null,
      };
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (err: Error) => callback(err));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            messages.push(toReceived(parsed, raw.toString("utf8"), envelope));
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  };
  const server = new SMTPServer({ ...serverOptions, ...options.server });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    forRun: (runId) => messages.filter((m) => m.header("x-crondeck-run-id") === String(runId)),
    forTask: (taskId) => messages.filter((m) => m.header("x-crondeck-task-id") === String(taskId)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

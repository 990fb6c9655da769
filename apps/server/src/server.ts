import type { AddressInfo } from "node:net";
import pretty from "pino-pretty";
import { buildApp } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";

// `pnpm start`: API + scheduler + in-process executors + dashboard in one process.

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`crondeck: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

// Readable lines for a person at a terminal; one JSON object a line for log collectors.
const prettyLog = config.logFormat === "pretty" || (config.logFormat === "auto" && process.stdout.isTTY === true);

const app = await buildApp(config, {
  logger: {
    level: config.logLevel,
    // Commands, tokens and passwords travel in bodies and headers; keep them out of the log.
    redact: ["req.headers.authorization", "req.headers.cookie", "req.body"],
    ...(prettyLog
      ? {
          stream: pretty({
            colorize: process.stdout.isTTY === true,
            translateTime: "SYS:HH:MM:ss",
            ignore: "pid,hostname",
          }),
        }
      : {}),
  },
});

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  app.log.error({ err }, "could not start");
  process.exit(1);
}
app.log.info({ url: dashboardUrl(config) }, readyLine(config));

/** Where a person opens the dashboard: PUBLIC_URL when set, else the address listened on. */
function dashboardUrl(c: Config): string {
  if (process.env.PUBLIC_URL) return c.publicUrl;
  const { port } = app.server.address() as AddressInfo;
  const anyInterface = c.host === "0.0.0.0" || c.host === "::";
  const host = anyInterface ? "localhost" : c.host.includes(":") ? `[${c.host}]` : c.host;
  return `http://${host}:${port}`;
}

function readyLine(c: Config): string {
  const url = dashboardUrl(c);
  const first = app.firstStart;
  const signIn = first?.generated
    ? `sign in as "${first.adminUser}" with the password shown above`
    : first?.created
      ? `sign in as "${first.adminUser}" with ADMIN_PASSWORD`
      : "sign in with your account";
  const loopback = c.host === "127.0.0.1" || c.host === "::1" || c.host === "localhost";
  const reach = loopback
    ? ` Listening on ${c.host} only: set HOST=0.0.0.0 to accept other machines (put HTTPS in front).`
    : "";
  return `Crondeck is ready: open ${url} and ${signIn} (API docs at ${url}/docs).${reach}`;
}

import { buildApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

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

const app = await buildApp(config, {
  logger: {
    level: config.logLevel,
    // Commands, tokens and passwords travel in bodies and headers; keep them out of the log.
    redact: ["req.headers.authorization", "req.headers.cookie", "req.body"],
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

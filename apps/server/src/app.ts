import type { TaskModeModule } from "@crondeck/executor";
import type { NotifyChannelModule } from "@crondeck/notify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Config } from "./config.ts";
import { validatorCompiler } from "./lib/validator.ts";
import auth from "./plugins/app/auth.ts";
import database from "./plugins/app/database.ts";
import engine, { type EnginePluginOptions } from "./plugins/app/engine.ts";
import errorHandler from "./plugins/app/error-handler.ts";
import logging from "./plugins/app/logging.ts";
import metrics from "./plugins/app/metrics.ts";
import cookie from "./plugins/external/cookie.ts";
import securityHeaders from "./plugins/external/security-headers.ts";
import staticFiles from "./plugins/external/static.ts";
import swagger from "./plugins/external/swagger.ts";
import auditRoutes from "./routes/api/audit/index.ts";
import authRoutes from "./routes/api/auth/index.ts";
import { componentSchemas } from "./routes/api/components.ts";
import cronRoutes from "./routes/api/cron/index.ts";
import executorsRoutes from "./routes/api/executors/index.ts";
import metaRoutes from "./routes/api/meta/index.ts";
import notificationsRoutes from "./routes/api/notifications/index.ts";
import runsRoutes from "./routes/api/runs/index.ts";
import secretsRoutes from "./routes/api/secrets/index.ts";
import settingsRoutes from "./routes/api/settings/index.ts";
import statsRoutes from "./routes/api/stats/index.ts";
import tagsRoutes from "./routes/api/tags/index.ts";
import tasksAsCodeRoutes from "./routes/api/tasks/as-code.ts";
import tasksRoutes from "./routes/api/tasks/index.ts";
import taskVersionsRoutes from "./routes/api/tasks/versions.ts";
import tokensRoutes from "./routes/api/tokens/index.ts";
import usersRoutes from "./routes/api/users/index.ts";
import healthRoutes from "./routes/health.ts";
import metricsRoutes from "./routes/metrics.ts";
import { TaskModules } from "./tasks/modules.ts";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    /** The task modes and notification channels this app knows. */
    modules: TaskModules;
  }
}

export type { Config } from "./config.ts";
export { loadConfig } from "./config.ts";

export interface BuildOptions {
  /** pino options or false; the server passes its logger settings, tests usually pass false. */
  logger?: boolean | object;
  engine?: EnginePluginOptions;
  /** Task modes beyond the built-in SHELL and HTTP (a deployment's own, or a test's). */
  modes?: readonly TaskModeModule[];
  /** Notification channels beyond the built-in EMAIL and WEBHOOK. */
  channels?: readonly NotifyChannelModule[];
}

/**
 * Fastify fails closed on a bare hop count (it trusts no hop), so hops become a function: hop 0 is
 * the socket's peer, the nearest proxy. The client is then the entry the outermost trusted proxy
 * appended, never the left-most one a client may have forged.
 */
function trustProxyOption(trust: Config["trustProxy"]): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return trust;
}

/** Builds the whole app: used by the server (src/server.ts) and by the tests through inject(). */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // A task is at most ~200 KiB of JSON (8 KiB command, 64 KiB body, headers, lists).
    bodyLimit: 1024 * 1024,
    // Replaced by one line per request at debug (plugins/app/logging.ts).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.trustProxy),
    // The database plugin migrates first: on a database holding millions of runs an upgrade that
    // builds indexes takes minutes, past the default 10 s a plugin may take to load.
    pluginTimeout: 0,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate("config", config);
  app.decorate("modules", new TaskModules({ modes: options.modes ?? [], channels: options.channels ?? [] }));
  app.setValidatorCompiler(validatorCompiler);
  for (const schema of componentSchemas(app.modules)) app.addSchema(schema);

  await app.register(errorHandler);
  await app.register(securityHeaders);
  await app.register(cookie);
  await app.register(swagger);
  await app.register(database);
  await app.register(auth);
  await app.register(engine, options.engine ?? {});

  await app.register(metrics);
  await app.register(logging);
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(authRoutes, { prefix: "/api/auth" });
  await app.register(usersRoutes, { prefix: "/api/users" });
  await app.register(tokensRoutes, { prefix: "/api/tokens" });
  await app.register(auditRoutes, { prefix: "/api/audit" });
  await app.register(tasksRoutes, { prefix: "/api/tasks" });
  await app.register(tasksAsCodeRoutes, { prefix: "/api/tasks" });
  await app.register(taskVersionsRoutes, { prefix: "/api/tasks" });
  await app.register(tagsRoutes, { prefix: "/api/tags" });
  await app.register(runsRoutes, { prefix: "/api/runs" });
  await app.register(cronRoutes, { prefix: "/api/cron" });
  await app.register(notificationsRoutes, { prefix: "/api/notifications" });
  await app.register(statsRoutes, { prefix: "/api/stats" });
  await app.register(executorsRoutes, { prefix: "/api/executors" });
  await app.register(settingsRoutes, { prefix: "/api/settings" });
  await app.register(metaRoutes, { prefix: "/api/meta" });
  await app.register(secretsRoutes, { prefix: "/api/secrets" });

  await app.register(staticFiles);
  return app;
}

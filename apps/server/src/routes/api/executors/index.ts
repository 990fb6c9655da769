import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../../../lib/schemas.ts";

export const ExecutorView = Type.Object({
  name: Type.String({ description: "host:pid of an app instance, or an executor process's name" }),
  host: Type.String(),
  groups: Type.Array(Type.String(), { description: '"*" means every group (in-process executors)' }),
  mode: Type.String({
    description:
      "in-process (an app instance that runs attempts) | api-only | control-plane (an app instance with NATS: runs nothing) | nats (an executor process)",
  }),
  version: Type.String(),
  startedAt: Type.String({ format: "date-time" }),
  lastSeenAt: Type.String({ format: "date-time" }),
  running: Type.Integer({ description: "runs executing there at the last heartbeat" }),
  alive: Type.Boolean({ description: "seen within the last three heartbeats" }),
});

/**
 * Executor processes over NATS (from their registry, while it remembers them), then the app
 * instances seen within the last day, most recently seen first.
 */
export async function listExecutors(app: Parameters<FastifyPluginAsyncTypebox>[0]) {
  const since = new Date(Date.now() - 86_400_000);
  const aliveAfter = Date.now() - 3 * app.engine.heartbeatMs;
  const rows = await app.database.db.executor.findMany({
    where: { lastSeenAt: { gte: since } },
    orderBy: { lastSeenAt: "desc" },
  });
  const remote = (app.engine.dispatcher.executors?.() ?? []).map((e) => ({
    name: e.name,
    host: e.host,
    groups: e.groups,
    mode: "nats",
    version: e.version,
    startedAt: e.startedAt,
    lastSeenAt: e.lastSeenAt.toISOString(),
    running: e.running,
    alive: e.alive,
  }));
  return [
    ...remote,
    ...rows.map((row) => ({
      name: row.name,
      host: row.host,
      groups: JSON.parse(row.groups) as string[],
      mode: row.mode,
      version: row.version,
      startedAt: row.startedAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
      running: row.running,
      alive: row.lastSeenAt.getTime() >= aliveAfter,
    })),
  ];
}

const executorsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["system"],
        operationId: "listExecutors",
        summary: "Executors seen in the last day, with host, groups and last heartbeat",
        response: { 200: Type.Array(ExecutorView), ...errors(400) },
      },
    },
    async () => listExecutors(app),
  );
};

export default executorsRoutes;

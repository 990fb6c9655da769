import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../lib/schemas.ts";

const tags = ["system"];
const Status = Type.Object({ status: Type.String() });

/** Liveness says the process answers; readiness also needs the database. */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/healthz",
    { schema: { tags, operationId: "checkLiveness", summary: "Liveness", response: { 200: Status } } },
    async () => ({
      status: "ok",
    }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags,
        operationId: "checkReadiness",
        summary: "Readiness: the database answers",
        response: { 200: Status, ...errors(503) },
      },
    },
    async (_req, reply) => {
      if (await app.database.ping()) return { status: "ready" };
      return reply.code(503).send({
        statusCode: 503,
        error: "Service Unavailable",
        code: "DATABASE_UNAVAILABLE",
        message: "the database does not answer",
      });
    },
  );
};

export default healthRoutes;

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../lib/schemas.ts";

const tags = ["system"];
const Status = Type.Object({ status: Type.String() });
const Readiness = Type.Object({
  status: Type.String({ description: "ready | degraded (serving, with a part down)" }),
  down: Type.Optional(Type.Array(Type.String(), { description: "what does not answer: nats" })),
});

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
        summary: "Readiness: the database answers (503 if not); NATS down is reported as degraded",
        response: { 200: Readiness, ...errors(503) },
      },
    },
    async (_req, reply) => {
      if (!(await app.database.ping())) {
        return reply.code(503).send({
          statusCode: 503,
          error: "Service Unavailable",
          code: "DATABASE_UNAVAILABLE",
          message: "the database does not answer",
        });
      }
      // Without NATS the API still serves (stay in the load balancer), but no attempt reaches an
      // executor: say so.
      if (app.engine.dispatcher.connected === false) return { status: "degraded", down: ["nats"] };
      return { status: "ready" };
    },
  );
};

export default healthRoutes;

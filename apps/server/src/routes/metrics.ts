import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";

/** Prometheus scrape endpoint, for viewers and above: give Prometheus a viewer API token. */
const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/metrics",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["system"],
        operationId: "getMetrics",
        summary: "Prometheus metrics (text exposition format)",
        response: { 200: { description: "the metrics", content: { "text/plain": { schema: Type.String() } } } },
      },
    },
    async (_req, reply) => reply.type(app.metrics.contentType).send(await app.metrics.metrics()),
  );
};

export default metricsRoutes;

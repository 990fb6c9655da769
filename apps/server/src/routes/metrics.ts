import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";

/** Prometheus scrape endpoint, for viewers and above: give Prometheus a viewer API token. */
const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/metrics",
    {
      config: { access: "viewer" },
      schema: { tags: ["system"], summary: "Prometheus metrics (text exposition format)" },
    },
    async (_req, reply) => reply.type(app.metrics.contentType).send(await app.metrics.metrics()),
  );
};

export default metricsRoutes;

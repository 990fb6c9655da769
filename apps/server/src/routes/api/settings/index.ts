import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../../../lib/schemas.ts";

const Settings = Type.Object({
  timezone: Type.String({
    description: "the server's configured zone (TZ): a task created without a timezone gets this one",
    examples: ["Asia/Shanghai"],
  }),
});

/** Read-only server settings a client needs, so the dashboard's form defaults as the API does. */
const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["system"],
        operationId: "getSettings",
        summary: "Server settings clients need (the default time zone of new tasks)",
        response: { 200: Settings, ...errors(401) },
      },
    },
    async () => ({ timezone: app.config.timezone }),
  );
};

export default settingsRoutes;

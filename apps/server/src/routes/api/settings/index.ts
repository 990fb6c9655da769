import { NOTIFY_LANGUAGES } from "@crondeck/notify";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors, StringEnum } from "../../../lib/schemas.ts";

const Settings = Type.Object({
  timezone: Type.String({
    description: "the server's configured zone (TZ): a task created without a timezone gets this one",
    examples: ["Asia/Shanghai"],
  }),
  outputLimitBytes: Type.Integer({
    description:
      "how much of a run's output is stored (RUN_OUTPUT_LIMIT_BYTES): a longer output keeps its head and tail",
    examples: [65536],
  }),
  notifyLanguage: StringEnum(NOTIFY_LANGUAGES, {
    description: "the language of notifications of tasks whose notifyLanguage is null (NOTIFY_LANGUAGE)",
    examples: ["en"],
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
        summary:
          "Server settings clients need (the default time zone of new tasks, the stored output cap, the default notification language)",
        response: { 200: Settings, ...errors(401) },
      },
    },
    async () => ({
      timezone: app.config.timezone,
      outputLimitBytes: app.config.outputLimitBytes,
      notifyLanguage: app.config.notifyLanguage,
    }),
  );
};

export default settingsRoutes;

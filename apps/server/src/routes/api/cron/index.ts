import { checkCron, isValidTimezone, nextRuns } from "@crondeck/core";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import cronstrueModule from "cronstrue/i18n.js";
import { Type } from "typebox";
import { validationError } from "../../../lib/errors.ts";
import { errors, StringEnum } from "../../../lib/schemas.ts";

// cronstrue ships CommonJS: Node hands ESM the module object (its describer under .default), while
// bundler-style loaders (vitest) unwrap it already.
const cronstrue: typeof cronstrueModule.default =
  (cronstrueModule as { default?: typeof cronstrueModule.default }).default ??
  (cronstrueModule as unknown as typeof cronstrueModule.default);

const PreviewBody = Type.Object(
  {
    cron: Type.String({ maxLength: 128 }),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

const PreviewReply = Type.Object({
  description: Type.String(),
  timezone: Type.String(),
  nextRuns: Type.Array(Type.String({ format: "date-time" })),
});

const cronRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/preview",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["system"],
        operationId: "previewCron",
        summary: "Describe a cron expression and list its next five fire times",
        body: PreviewBody,
        querystring: Type.Object({ locale: Type.Optional(StringEnum(["en", "zh_CN"] as const)) }),
        response: { 200: PreviewReply, ...errors(400) },
      },
    },
    async (req) => {
      const timezone = req.body.timezone ?? app.config.timezone;
      if (!isValidTimezone(timezone)) {
        throw validationError([
          {
            field: "timezone",
            message: `is not a known IANA time zone: ${timezone}`,
            code: "UNKNOWN_ZONE",
            params: { value: timezone },
          },
        ]);
      }
      const check = checkCron(req.body.cron, timezone);
      if (!check.ok)
        throw validationError([
          {
            field: "cron",
            message: `is not a valid cron expression: ${check.error}`,
            code: "CRON",
            params: { reason: check.error ?? "" },
          },
        ]);
      let description: string;
      try {
        description = cronstrue.toString(req.body.cron.trim(), {
          locale: req.query.locale ?? "en",
          use24HourTimeFormat: true,
          verbose: false,
        });
      } catch {
        description = req.body.cron.trim(); // croner accepts a few forms cronstrue can't describe
      }
      return {
        description,
        timezone,
        nextRuns: nextRuns(req.body.cron, timezone, 5).map((d) => d.toISOString()),
      };
    },
  );
};

export default cronRoutes;

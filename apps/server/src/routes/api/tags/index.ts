import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../../../lib/schemas.ts";

// The tags in use, for the dashboard's tag filter and scripts; read like the tasks they come from.

export const TagCount = Type.Object({
  tag: Type.String({ description: "the tag (tags that differ only in case are one, in one spelling)" }),
  count: Type.Integer({ description: "how many tasks have it" }),
});

const tagsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["tasks"],
        operationId: "listTags",
        summary: "Every task tag in use with how many tasks have it, sorted by tag (ignoring case)",
        response: { 200: Type.Array(TagCount), ...errors() },
      },
    },
    async () => app.tasks.tagCounts(),
  );
};

export default tagsRoutes;

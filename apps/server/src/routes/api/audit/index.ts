import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors, Nullable, PageOf, PageQuery, StringEnum } from "../../../lib/schemas.ts";

const Entry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: "date-time" }),
  actorId: Nullable(Type.Integer()),
  actorName: Type.String(),
  action: Type.String({
    description: "e.g. task.create, task.update, task.disable, task.run, run.cancel, auth.login, token.revoke",
  }),
  targetType: Type.String(),
  targetId: Nullable(Type.Integer()),
  taskId: Nullable(Type.Integer()),
  before: Nullable(Type.String({ description: "JSON, secrets masked" })),
  after: Nullable(Type.String({ description: "JSON, secrets masked" })),
  ip: Nullable(Type.String()),
  via: Nullable(StringEnum(["session", "token"] as const, { description: "how the actor signed in" })),
  tokenId: Nullable(Type.Integer({ description: "the API token that acted, when via is token" })),
});

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/",
    {
      config: { access: "admin" },
      schema: {
        tags: ["audit"],
        operationId: "listAuditEntries",
        summary: "Who changed or ran what, when (newest first)",
        querystring: Type.Object(
          { ...PageQuery.properties, taskId: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(Entry), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const page = req.query.page ?? 1;
      const pageSize = req.query.pageSize ?? 20;
      const where = req.query.taskId ? { taskId: req.query.taskId } : {};
      const [rows, total] = await Promise.all([
        app.database.db.auditEntry.findMany({
          where,
          orderBy: { id: "desc" },
          skip: (page - 1) * pageSize,
          take: pageSize,
        }),
        app.database.db.auditEntry.count({ where }),
      ]);
      return {
        items: rows.map((r) => ({ ...r, at: r.at.toISOString(), via: r.via as "session" | "token" | null })),
        total,
        page,
        pageSize,
      };
    },
  );
};

export default auditRoutes;

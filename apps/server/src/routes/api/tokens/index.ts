import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ROLES, roleAtLeast } from "../../../auth/roles.ts";
import { randomSecret, sha256 } from "../../../auth/secrets.ts";
import { ApiError, notFound } from "../../../lib/errors.ts";
import { errors, IdParams, Nullable, StringEnum } from "../../../lib/schemas.ts";
import { callerOf } from "../../../plugins/app/auth.ts";

const tags = ["tokens"];

const Token = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: "the first characters, to tell tokens apart" }),
  role: StringEnum(ROLES),
  userId: Type.Integer(),
  username: Type.String(),
  expiresAt: Nullable(Type.String({ format: "date-time" })),
  lastUsedAt: Nullable(Type.String({ format: "date-time" })),
  revokedAt: Nullable(Type.String({ format: "date-time" })),
  createdAt: Type.String({ format: "date-time" }),
});

type TokenRow = {
  id: number;
  name: string;
  prefix: string;
  role: string;
  userId: number;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  user: { username: string };
};
const iso = (d: Date | null) => d?.toISOString() ?? null;
const view = (t: TokenRow) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  role: t.role as (typeof ROLES)[number],
  userId: t.userId,
  username: t.user.username,
  expiresAt: iso(t.expiresAt),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
  createdAt: t.createdAt.toISOString(),
});

const tokensRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;
  const include = { user: { select: { username: true } } };

  app.get(
    "/",
    {
      config: { access: "viewer", sessionOnly: true },
      schema: {
        tags,
        operationId: "listTokens",
        summary: "API tokens: your own (admins see everyone's)",
        response: { 200: Type.Array(Token), ...errors(401) },
      },
    },
    async (req) => {
      const p = callerOf(req);
      const where = p.role === "admin" ? {} : { userId: p.userId };
      return (await db.apiToken.findMany({ where, include, orderBy: { id: "desc" } })).map(view);
    },
  );

  app.post(
    "/",
    {
      config: { access: "viewer", sessionOnly: true },
      schema: {
        tags,
        operationId: "createToken",
        summary: "Create an API token for yourself; the token is in this response only",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 64 }),
            role: Type.Optional(StringEnum(ROLES, { description: "at most your own role; default: your role" })),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ ...Token.properties, token: Type.String() }), ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const p = callerOf(req);
      const role = req.body.role ?? p.role;
      if (!roleAtLeast(p.role, role))
        throw new ApiError(403, "FORBIDDEN", `a token cannot carry more than your role (${p.role})`);
      const token = `cdk_${randomSecret(24)}`;
      const row = await db.apiToken.create({
        data: {
          userId: p.userId,
          name: req.body.name,
          role,
          tokenHash: sha256(token),
          prefix: token.slice(0, 10),
          expiresAt: req.body.expiresInDays ? new Date(Date.now() + req.body.expiresInDays * 86_400_000) : null,
        },
        include,
      });
      await app.audit.record(req, { action: "token.create", targetType: "token", targetId: row.id, after: view(row) });
      return reply.code(201).send({ ...view(row), token });
    },
  );

  app.delete(
    "/:id",
    {
      config: { access: "viewer", sessionOnly: true },
      schema: {
        tags,
        operationId: "revokeToken",
        summary: "Revoke a token (yours, or anyone's for an admin)",
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const p = callerOf(req);
      const row = await db.apiToken.findUnique({ where: { id: req.params.id }, include });
      if (!row || (row.userId !== p.userId && p.role !== "admin")) throw notFound("token", req.params.id);
      if (!row.revokedAt) {
        const revoked = await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() }, include });
        await app.audit.record(req, {
          action: "token.revoke",
          targetType: "token",
          targetId: row.id,
          before: view(row),
          after: view(revoked),
        });
      }
      return reply.code(204).send(null);
    },
  );
};

export default tokensRoutes;

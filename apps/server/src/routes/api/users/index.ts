import { isUniqueViolation } from "@crondeck/db";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ROLES } from "../../../auth/roles.ts";
import { hashPassword } from "../../../auth/secrets.ts";
import { ApiError, conflict, notFound } from "../../../lib/errors.ts";
import { errors, IdParams, Nullable, StringEnum } from "../../../lib/schemas.ts";
import { callerOf } from "../../../plugins/app/auth.ts";

const tags = ["users"];
const Role = StringEnum(ROLES);
const Password = Type.String({ minLength: 12, maxLength: 1024, description: "at least 12 characters" });

const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  lastLoginAt: Nullable(Type.String({ format: "date-time" })),
  createdAt: Type.String({ format: "date-time" }),
});

type UserRow = {
  id: number;
  username: string;
  role: string;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
};
const view = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  role: u.role as (typeof ROLES)[number],
  disabled: u.disabled,
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  /** Refuses a change that would leave no enabled admin: nobody could manage Crondeck then. */
  async function keepAnAdmin(changingId: number) {
    const others = await db.user.count({ where: { role: "admin", disabled: false, id: { not: changingId } } });
    if (others === 0) throw new ApiError(409, "LAST_ADMIN", "this is the last enabled admin");
  }

  app.get(
    "/",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "listUsers",
        summary: "List users",
        response: { 200: Type.Array(User), ...errors(401, 403) },
      },
    },
    async () => (await db.user.findMany({ orderBy: { id: "asc" } })).map(view),
  );

  app.post(
    "/",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "createUser",
        summary: "Create a user",
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.@-]+$" }),
            password: Password,
            role: Role,
          },
          { additionalProperties: false },
        ),
        response: { 201: User, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      try {
        const user = await db.user.create({
          data: {
            username: req.body.username,
            role: req.body.role,
            passwordHash: await hashPassword(req.body.password),
          },
        });
        await app.audit.record(req, {
          action: "user.create",
          targetType: "user",
          targetId: user.id,
          after: view(user),
        });
        return reply.code(201).send(view(user));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict("USERNAME_TAKEN", "that user name is taken", "username", "TAKEN");
        throw err;
      }
    },
  );

  app.patch(
    "/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "updateUser",
        summary: "Change a user's role, password or disabled flag",
        description:
          "A new password or disabling the user ends their sessions and revokes their API tokens (re-enabling does not bring them back).",
        params: IdParams,
        body: Type.Object(
          { role: Type.Optional(Role), password: Type.Optional(Password), disabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: User, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const before = await db.user.findUnique({ where: { id: req.params.id } });
      if (!before) throw notFound("user", req.params.id);
      const demotes = (req.body.role !== undefined && req.body.role !== "admin") || req.body.disabled === true;
      if (before.role === "admin" && demotes) await keepAnAdmin(before.id);
      if (demotes && before.id === callerOf(req).userId) {
        throw conflict(
          "SELF_CHANGE",
          "you cannot lower your own role or disable yourself; another admin can",
          req.body.role !== undefined && req.body.role !== "admin" ? "role" : "disabled",
          "SELF_CHANGE",
        );
      }
      const user = await db.user.update({
        where: { id: before.id },
        data: {
          role: req.body.role,
          disabled: req.body.disabled,
          ...(req.body.password ? { passwordHash: await hashPassword(req.body.password) } : {}),
        },
      });
      // A new password or a disabled account ends the user's sessions and revokes their API tokens:
      // whoever knew the old password may have minted tokens with it, and re-enabling an account
      // must not silently bring its old tokens back.
      let revokedTokens = 0;
      if (req.body.password || req.body.disabled) {
        await db.session.deleteMany({ where: { userId: user.id } });
        ({ count: revokedTokens } = await db.apiToken.updateMany({
          where: { userId: user.id, revokedAt: null },
          data: { revokedAt: new Date() },
        }));
      }
      await app.audit.record(req, {
        action: "user.update",
        targetType: "user",
        targetId: user.id,
        before: view(before),
        after: { ...view(user), ...(req.body.password ? { password: "changed" } : {}), revokedTokens },
      });
      return view(user);
    },
  );

  app.delete(
    "/:id",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "deleteUser",
        summary: "Delete a user (their sessions and tokens go with them)",
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const user = await db.user.findUnique({ where: { id: req.params.id } });
      if (!user) throw notFound("user", req.params.id);
      if (user.role === "admin") await keepAnAdmin(user.id);
      if (user.id === callerOf(req).userId) {
        throw conflict("SELF_CHANGE", "you cannot delete yourself; another admin can");
      }
      await db.user.delete({ where: { id: user.id } });
      await app.audit.record(req, { action: "user.delete", targetType: "user", targetId: user.id, before: view(user) });
      return reply.code(204).send(null);
    },
  );
};

export default usersRoutes;

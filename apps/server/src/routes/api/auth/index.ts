import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { isRole } from "../../../auth/roles.ts";
import { hashPassword, randomSecret, sha256, verifyPassword } from "../../../auth/secrets.ts";
import { ApiError } from "../../../lib/errors.ts";
import { errors, StringEnum } from "../../../lib/schemas.ts";
import { callerOf, SESSION_COOKIE } from "../../../plugins/app/auth.ts";

const tags = ["auth"];

export const Me = Type.Object({
  user: Type.Object({
    id: Type.Integer(),
    username: Type.String(),
    role: StringEnum(["viewer", "operator", "admin"] as const),
  }),
  via: StringEnum(["session", "token"] as const),
  csrfToken: Type.Optional(
    Type.String({ description: "send as X-CSRF-Token with every write made with the session cookie" }),
  ),
});

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.database;

  app.post(
    "/login",
    {
      config: { access: "public" },
      schema: {
        tags,
        operationId: "login",
        summary: "Sign in: sets an HttpOnly session cookie and returns the CSRF token for writes",
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          {
            additionalProperties: false,
            "x-examples": {
              admin: { summary: "Sign in", value: { username: "admin", password: "a-long-password-1" } },
            },
          },
        ),
        response: { 200: Me, ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const ticket = await app.loginLimiter.attempt(username, req.ip);
      const wait = ticket.retryAfter;
      if (wait > 0) {
        reply.header("retry-after", String(wait));
        throw new ApiError(429, "TOO_MANY_ATTEMPTS", `too many failed sign-ins; try again in ${wait} s`);
      }
      const user = await db.user.findUnique({ where: { username } });
      const ok = await verifyPassword(user && !user.disabled ? user.passwordHash : null, password);
      if (!user || !ok || !isRole(user.role)) {
        await app.audit.record(req, {
          action: "auth.login_failed",
          targetType: "session",
          actorName: username.slice(0, 64),
        });
        throw new ApiError(401, "INVALID_CREDENTIALS", "wrong user name or password");
      }
      await ticket.succeeded();
      const secret = randomSecret();
      const csrfToken = randomSecret();
      const now = new Date();
      const ttlMs = app.config.sessionTtlHours * 3_600_000;
      await db.session.create({
        data: {
          id: sha256(secret),
          userId: user.id,
          csrfToken,
          expiresAt: new Date(now.getTime() + ttlMs),
          lastSeenAt: now,
        },
      });
      await db.user.update({ where: { id: user.id }, data: { lastLoginAt: now } });
      req.principal = { userId: user.id, username: user.username, role: user.role, via: "session" };
      await app.audit.record(req, { action: "auth.login", targetType: "user", targetId: user.id });
      reply.setCookie(SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: "strict",
        secure: req.protocol === "https",
        path: "/",
        maxAge: Math.floor(ttlMs / 1000),
      });
      return { user: { id: user.id, username: user.username, role: user.role }, via: "session" as const, csrfToken };
    },
  );

  app.post(
    "/logout",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "logout",
        summary: "Sign out (ends the session)",
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (req, reply) => {
      if (req.principal?.sessionId) {
        await db.session.deleteMany({ where: { id: req.principal.sessionId } });
        await app.audit.record(req, { action: "auth.logout", targetType: "user", targetId: req.principal.userId });
      }
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/password",
    {
      // Session only: a leaked API token must not be enough to take the account over.
      config: { access: "viewer", sessionOnly: true },
      schema: {
        tags,
        operationId: "changeOwnPassword",
        summary: "Change your own password (current password required)",
        description:
          "Ends your other sessions and revokes your API tokens, as an admin's password change does: whoever knew the old password may have minted tokens with it. Wrong current passwords count against the sign-in limit.",
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
            newPassword: Type.String({ minLength: 12, maxLength: 1024, description: "at least 12 characters" }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            revokedTokens: Type.Integer({ description: "API tokens of yours that were revoked" }),
            endedSessions: Type.Integer({ description: "other sessions of yours that were ended" }),
          }),
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (req, reply) => {
      const p = callerOf(req);
      const ticket = await app.loginLimiter.attempt(p.username, req.ip);
      if (ticket.retryAfter > 0) {
        reply.header("retry-after", String(ticket.retryAfter));
        throw new ApiError(429, "TOO_MANY_ATTEMPTS", `too many wrong passwords; try again in ${ticket.retryAfter} s`);
      }
      const user = await db.user.findUniqueOrThrow({ where: { id: p.userId } });
      if (!(await verifyPassword(user.passwordHash, req.body.currentPassword))) {
        await app.audit.record(req, { action: "auth.password_change_failed", targetType: "user", targetId: user.id });
        // 400, not 401: the session is fine, and a 401 would send the dashboard to the sign-in page.
        throw new ApiError(400, "WRONG_PASSWORD", "the current password is wrong", [
          { field: "currentPassword", message: "the current password is wrong", code: "WRONG_PASSWORD" },
        ]);
      }
      await ticket.succeeded();
      await db.user.update({
        where: { id: user.id },
        data: { passwordHash: await hashPassword(req.body.newPassword) },
      });
      const { count: endedSessions } = await db.session.deleteMany({
        where: { userId: user.id, ...(p.sessionId ? { id: { not: p.sessionId } } : {}) },
      });
      const { count: revokedTokens } = await db.apiToken.updateMany({
        where: { userId: user.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      await app.audit.record(req, {
        action: "auth.password_change",
        targetType: "user",
        targetId: user.id,
        after: { password: "changed", revokedTokens, endedSessions },
      });
      return { revokedTokens, endedSessions };
    },
  );

  app.get(
    "/me",
    {
      config: { access: "viewer" },
      schema: {
        tags,
        operationId: "getCurrentUser",
        summary: "Who is signed in",
        response: { 200: Me, ...errors(401) },
      },
    },
    async (req) => {
      const p = callerOf(req);
      return {
        user: { id: p.userId, username: p.username, role: p.role },
        via: p.via,
        ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
      };
    },
  );
};

export default authRoutes;

import type { FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AuditLog } from "../../auth/audit.ts";
import { ensureFirstAdmin, type FirstStart } from "../../auth/bootstrap.ts";
import { LoginLimiter } from "../../auth/login-limiter.ts";
import { type Access, isRole, type Role, roleAtLeast, weakerRole } from "../../auth/roles.ts";
import { safeEqual, sha256 } from "../../auth/secrets.ts";
import { ApiError } from "../../lib/errors.ts";

export const SESSION_COOKIE = "crondeck_session";
export const CSRF_HEADER = "x-csrf-token";

export interface Principal {
  userId: number;
  username: string;
  role: Role;
  via: "session" | "token";
  sessionId?: string;
  csrfToken?: string;
  tokenId?: number;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; every /api route must say (checked at start-up). */
    access?: Access;
    /**
     * Refused to API tokens: token management needs a signed-in person, so a token can neither
     * mint a longer-lived or stronger one nor list or revoke its user's other tokens.
     */
    sessionOnly?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    audit: AuditLog;
    loginLimiter: LoginLimiter;
    /** What the first-admin check did at start (for the "where to sign in" line). */
    firstStart: FirstStart | null;
    /** Deletes expired sessions, old sign-in attempts and audit entries past AUDIT_RETENTION_DAYS. */
    purgeAuthRecords(now?: Date): Promise<{ sessions: number; loginAttempts: number; auditEntries: number }>;
  }
}

/** The caller of a route that requires a role (the auth hook has set it, or refused the request). */
export function callerOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const TOUCH_EVERY_MS = 60_000;
const PURGE_EVERY_MS = 10 * 60_000;

const unauthorized = (message = "sign in or send an API token (Authorization: Bearer …)") =>
  new ApiError(401, "UNAUTHORIZED", message);

/**
 * Every /api route declares who may call it; requests are authenticated by an API token
 * (Authorization: Bearer) or a session cookie, and cookie-authenticated writes must echo the
 * session's CSRF token in the X-CSRF-Token header.
 */
export default fp(
  async (app) => {
    const { db } = app.database;
    app.decorate("audit", new AuditLog(db, app.modules.writeOnlyFields()));
    app.decorate("loginLimiter", new LoginLimiter(db));
    app.decorate("firstStart", null);
    app.decorateRequest("principal", null);

    // A GET's HEAD twin and a prefix's "/" and "" forms share one schema object: document it once.
    const documented = new WeakSet<object>();
    app.addHook("onRoute", (route) => {
      const url = route.url ?? route.path;
      const access = route.config?.access;
      if (url.startsWith("/api") && access === undefined) {
        throw new Error(`route ${route.method} ${url} has no access rule (config.access)`);
      }
      if (!route.schema || documented.has(route.schema)) return;
      documented.add(route.schema);
      if (access === undefined || access === "public") {
        // Said explicitly, so a client generator knows the route needs no credentials.
        route.schema.security = [];
      } else {
        // Documented once here rather than in every route: who may call it, and the refusals.
        const ref = { $ref: "Error" };
        route.schema.response = { 401: ref, 403: ref, ...(route.schema.response as object) };
        const sessionOnly = route.config?.sessionOnly ? " Refused to API tokens: sign in (session cookie)." : "";
        route.schema.description = [`Requires the **${access}** role or above.${sessionOnly}`, route.schema.description]
          .filter(Boolean)
          .join(" ");
        route.schema.security = route.config?.sessionOnly
          ? [{ sessionCookie: [] }]
          : [{ bearerAuth: [] }, { sessionCookie: [] }];
      }
    });

    app.decorate("purgeAuthRecords", async (now = new Date()) => {
      const sessions = (await db.session.deleteMany({ where: { expiresAt: { lte: now } } })).count;
      const loginAttempts = await app.loginLimiter.purge(now);
      const days = app.config.auditRetentionDays;
      const auditEntries =
        days > 0
          ? (await db.auditEntry.deleteMany({ where: { at: { lt: new Date(now.getTime() - days * 86_400_000) } } }))
              .count
          : 0;
      return { sessions, loginAttempts, auditEntries };
    });
    let purgeTimer: NodeJS.Timeout | undefined;
    app.addHook("onReady", async () => {
      purgeTimer = setInterval(() => {
        app.purgeAuthRecords().then(
          (removed) => {
            if (removed.sessions + removed.auditEntries > 0) app.log.debug(removed, "purged expired auth records");
          },
          (err) => app.log.warn({ err }, "could not purge expired sessions and old audit entries"),
        );
      }, PURGE_EVERY_MS);
      purgeTimer.unref();
    });
    app.addHook("onClose", async () => clearInterval(purgeTimer));

    app.addHook("onReady", async () => {
      app.firstStart = await ensureFirstAdmin(
        db,
        { adminUser: app.config.adminUser, adminPassword: app.config.adminPassword },
        app.log,
      );
      // Needed once only: from here on it would just be a secret in memory for a child to inherit.
      app.config.adminPassword = null;
      delete process.env.ADMIN_PASSWORD;
    });

    app.addHook("onRequest", async (req, reply) => {
      const access = req.routeOptions.config?.access;
      if (access === undefined || access === "public") return;
      const principal = await authenticate(req.headers.authorization, req.cookies?.[SESSION_COOKIE]);
      if (!principal) throw unauthorized();
      if (principal.via === "session" && UNSAFE_METHODS.has(req.method)) {
        const sent = req.headers[CSRF_HEADER];
        if (typeof sent !== "string" || !safeEqual(sent, principal.csrfToken as string)) {
          throw new ApiError(403, "CSRF_TOKEN_INVALID", `a signed-in write must send the ${CSRF_HEADER} header`);
        }
      }
      if (principal.via === "token" && req.routeOptions.config?.sessionOnly) {
        throw new ApiError(403, "SESSION_REQUIRED", "API tokens are managed by a signed-in user, not with a token");
      }
      if (!roleAtLeast(principal.role, access)) {
        throw new ApiError(403, "FORBIDDEN", `this needs the ${access} role; you are ${principal.role}`);
      }
      req.principal = principal;
      recheckWhileOpen(req, reply, access);
    });

    /**
     * A response still open after a while (a run's SSE stream) is re-authenticated every
     * `authRecheckMs`: a revoked token, an ended session, a disabled user or a lowered role ends it,
     * so nothing keeps flowing to a caller who would be refused now. Ordinary requests end long
     * before the first check.
     */
    function recheckWhileOpen(req: FastifyRequest, reply: FastifyReply, access: Role) {
      const authorization = req.headers.authorization;
      const cookie = req.cookies?.[SESSION_COOKIE];
      let checking = false;
      const timer = setInterval(async () => {
        if (checking) return;
        checking = true;
        try {
          const now = await authenticate(authorization, cookie);
          if (now && roleAtLeast(now.role, access)) return;
          clearInterval(timer);
          req.log.info(
            { url: req.url, via: req.principal?.via },
            "closing a response whose caller is no longer allowed",
          );
          reply.raw.destroy();
        } catch (err) {
          // A database hiccup is not a revocation: keep the stream and try again next time.
          req.log.warn({ err }, "could not re-check the caller of an open response");
        } finally {
          checking = false;
        }
      }, app.config.authRecheckMs);
      timer.unref();
      reply.raw.once("close", () => clearInterval(timer));
    }

    async function authenticate(
      authorization: string | undefined,
      cookie: string | undefined,
    ): Promise<Principal | null> {
      const now = new Date();
      if (authorization !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(authorization);
        if (!match) return null;
        const token = await db.apiToken.findUnique({
          where: { tokenHash: sha256(match[1] as string) },
          include: { user: true },
        });
        if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now) || token.user.disabled)
          return null;
        if (!isRole(token.role) || !isRole(token.user.role)) return null;
        if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
          await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
        }
        return {
          userId: token.userId,
          username: token.user.username,
          role: weakerRole(token.role, token.user.role),
          via: "token",
          tokenId: token.id,
        };
      }
      if (cookie !== undefined) {
        const session = await db.session.findUnique({ where: { id: sha256(cookie) }, include: { user: true } });
        if (!session || session.expiresAt <= now || session.user.disabled || !isRole(session.user.role)) return null;
        if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
          await db.session.update({ where: { id: session.id }, data: { lastSeenAt: now } });
        }
        return {
          userId: session.userId,
          username: session.user.username,
          role: session.user.role,
          via: "session",
          sessionId: session.id,
          csrfToken: session.csrfToken,
        };
      }
      return null;
    }
  },
  { name: "auth", dependencies: ["database", "cookie"] },
);

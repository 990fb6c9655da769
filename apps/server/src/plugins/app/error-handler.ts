import type { FastifyError } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../../lib/errors.ts";

/** Every error leaves as `{statusCode, error, code, message, details?}`; internals are never echoed. */
export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
      if (err instanceof ApiError) return reply.code(err.statusCode).send(err.toJSON());
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        req.log.error({ err }, "request failed");
        return reply.code(500).send(new ApiError(500, "INTERNAL", "internal error; see the server log").toJSON());
      }
      // Fastify's own 4xx (malformed JSON, body too large, unsupported media type …).
      return reply.code(status).send(new ApiError(status, err.code ?? "BAD_REQUEST", err.message).toJSON());
    });
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split("?")[0] ?? "/";
      const isApi = path === "/api" || path.startsWith("/api/") || path.startsWith("/docs");
      if (req.method === "GET" && !isApi && app.dashboard) return reply.type("text/html").sendFile("index.html");
      return reply.code(404).send(new ApiError(404, "NOT_FOUND", `${req.method} ${path} does not exist`).toJSON());
    });
  },
  { name: "error-handler" },
);

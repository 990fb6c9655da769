import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import fp from "fastify-plugin";

/**
 * Security headers on every response (helmet), with a content security policy the dashboard and
 * Swagger UI work under. CORS stays off unless CORS_ORIGIN names the origins allowed.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      // Lets HTTP (no TLS) local installs work; behind HTTPS set it at the proxy.
      strictTransportSecurity: false,
    });
    const origins = app.config.corsOrigins;
    if (origins.length > 0) await app.register(cors, { origin: origins, credentials: true });
  },
  { name: "security-headers" },
);

import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import fp from "fastify-plugin";

/** OpenAPI 3 document at /docs/json, generated from the routes' TypeBox schemas; Swagger UI at /docs. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: {
          title: "Crondeck API",
          description: "Define SHELL and HTTP tasks on cron schedules, run them, and read every run's outcome.",
          version: "0.1.0",
        },
        // Relative: clients resolve it against wherever they fetched /docs/json from.
        servers: [{ url: "/", description: "the Crondeck server that published this document" }],
        components: {
          securitySchemes: {
            bearerAuth: { type: "http", scheme: "bearer", description: "an API token from POST /api/tokens" },
            sessionCookie: { type: "apiKey", in: "cookie", name: "crondeck_session", description: "dashboard sign-in" },
          },
        },
        tags: [
          { name: "tasks", description: "Task definitions" },
          { name: "runs", description: "Runs (one record per attempt) and their output" },
          { name: "notifications", description: "Email and webhook notifications: test the channel settings" },
          { name: "system", description: "Health, readiness and helpers" },
          { name: "auth", description: "Dashboard sign-in" },
          { name: "users", description: "Users and their roles" },
          { name: "tokens", description: "API tokens for scripts" },
          { name: "secrets", description: "Secrets tasks reference as ${secret:NAME} (values are write-only)" },
          { name: "audit", description: "Who changed or ran what" },
        ],
      },
      // A collection route registered as "/" under a prefix answers at /api/tasks and /api/tasks/;
      // publish the form without the slash, the one clients and the spec use.
      transform: ({ schema, url }) => ({ schema, url: url.length > 1 && url.endsWith("/") ? url.slice(0, -1) : url }),
      // The plugin marks every body required (Fastify validates one when a schema is given); a route
      // that fills in a missing body itself says so with "x-optional-body", and clients may omit it.
      transformObject: (document) => {
        const spec = "openapiObject" in document ? document.openapiObject : document.swaggerObject;
        for (const item of Object.values(spec.paths ?? {}) as Array<Record<string, Record<string, unknown>>>)
          for (const operation of Object.values(item)) {
            if (!operation?.["x-optional-body"]) continue;
            delete operation["x-optional-body"];
            const body = operation.requestBody as { required?: boolean } | undefined;
            if (body) body.required = false;
          }
        return spec;
      },
      refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
    });
    // staticCSP: Swagger UI's pages get a policy that allows what they need (helmet covers the rest).
    await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true, uiConfig: { persistAuthorization: true } });
  },
  { name: "swagger" },
);

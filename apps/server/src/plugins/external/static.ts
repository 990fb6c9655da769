import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyInstance {
    /** The dashboard folder, set only when it is built and served. */
    dashboard?: string;
  }
}

/**
 * Serves the built dashboard at `/`. The not-found handler (error-handler.ts) answers other GETs outside
 * /api with index.html, so the dashboard's own routes (/tasks/12) survive a reload.
 */
export default fp(
  async (app) => {
    const root = app.config.webDist;
    if (!root || !existsSync(join(root, "index.html"))) {
      app.log.warn({ webDist: root }, "dashboard not built; run `pnpm build` to serve it at /");
      return;
    }
    await app.register(fastifyStatic, { root, wildcard: false, index: ["index.html"] });
    app.decorate("dashboard", root);
  },
  { name: "static" },
);

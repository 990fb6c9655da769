import cookie from "@fastify/cookie";
import fp from "fastify-plugin";

/** Cookie parsing for dashboard sessions (the session cookie is random, so it is not signed). */
export default fp(async (app) => app.register(cookie), { name: "cookie" });

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { errors } from "../../../lib/schemas.ts";
import { callerOf } from "../../../plugins/app/auth.ts";

// The secrets store's API: admins write values, nobody reads them back. Tasks reference a secret as
// ${secret:NAME}; a run gets its value when it starts (src/secrets/store.ts).

const tags = ["secrets"];

const NAME = { minLength: 1, maxLength: 64, pattern: "^[A-Za-z_][A-Za-z0-9_]*$" };
const Value = Type.String({
  minLength: 4,
  maxLength: 16_384,
  description: "write-only; at least 4 characters, since shorter values could not be masked in output",
});
const Secret = Type.Object({
  name: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  updatedBy: Type.String({ description: "who wrote the current value" }),
});
const NameParams = Type.Object({ name: Type.String(NAME) });

const secretsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { secrets } = app;
  const audit = (req: Parameters<typeof callerOf>[0], action: string, name: string) =>
    app.audit.record(req, { action, targetType: "secret", after: { name } });

  app.get(
    "/",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "listSecrets",
        summary: "The secrets' names and when they were written (never their values)",
        response: { 200: Type.Object({ items: Type.Array(Secret) }), ...errors(401, 403, 503) },
      },
    },
    async () => ({ items: await secrets.list() }),
  );

  app.post(
    "/",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "createSecret",
        summary: "Store a new secret; tasks use it as ${secret:NAME}",
        body: Type.Object(
          {
            name: Type.String({ ...NAME, description: "letters, digits and _, not starting with a digit" }),
            value: Value,
          },
          {
            additionalProperties: false,
            "x-examples": { token: { summary: "An API token", value: { name: "API_TOKEN", value: "s3cr3t-value" } } },
          },
        ),
        response: { 201: Secret, ...errors(400, 401, 403, 409, 503) },
      },
    },
    async (req, reply) => {
      const created = await secrets.create(req.body.name, req.body.value, callerOf(req).username);
      await audit(req, "secret.create", created.name);
      return reply.code(201).send(created);
    },
  );

  app.put(
    "/:name",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "replaceSecret",
        summary: "Replace a secret's value; tasks using it get the new one from their next run",
        params: NameParams,
        body: Type.Object({ value: Value }, { additionalProperties: false }),
        response: { 200: Secret, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (req) => {
      const updated = await secrets.update(req.params.name, req.body.value, callerOf(req).username);
      await audit(req, "secret.update", updated.name);
      return updated;
    },
  );

  app.delete(
    "/:name",
    {
      config: { access: "admin" },
      schema: {
        tags,
        operationId: "deleteSecret",
        summary: "Delete a secret; runs of tasks still using it fail, naming it",
        params: NameParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await secrets.delete(req.params.name);
      await audit(req, "secret.delete", req.params.name);
      return reply.code(204).send(null);
    },
  );
};

export default secretsRoutes;

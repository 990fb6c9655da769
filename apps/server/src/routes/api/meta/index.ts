import type { RunOverrides, SettingsModule, Text } from "@crondeck/core";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { errors } from "../../../lib/schemas.ts";

// What the dashboard needs to show the fields of every task mode and notification channel this app
// knows, in both languages, without knowing any of them by name: their modules' form declarations.

const TextSchema = Type.Object({ en: Type.String(), zh: Type.String() });

const FormFieldSchema = Type.Object({
  name: Type.String({ description: "the task field it edits" }),
  kind: Type.String({ description: "text, code, textarea, select, keyValue, list or secret" }),
  label: TextSchema,
  hint: Type.Optional(TextSchema),
  placeholder: Type.Optional(Type.String()),
  options: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: TextSchema }))),
  showWhen: Type.Optional(Type.Object({ field: Type.String(), values: Type.Array(Type.String()) })),
  required: Type.Optional(Type.Boolean({ description: "the form asks for a value before sending" })),
});

const ModuleSchema = Type.Object({
  name: Type.String(),
  label: TextSchema,
  fields: Type.Array(FormFieldSchema),
  empty: Type.Record(Type.String(), Type.Unknown(), { description: "what each field holds when not set" }),
  executorGroupHint: Type.Optional(TextSchema),
  runFields: Type.Optional(
    Type.Array(Type.String(), {
      description:
        "a mode's fields a manual run may override (POST /api/tasks/{id}/run), shown with their form declarations; absent: none besides env",
    }),
  ),
});

const Meta = Type.Object({
  modes: Type.Array(ModuleSchema, { description: "task modes, in the order the form offers them" }),
  channels: Type.Array(ModuleSchema, { description: "notification channels, in the order the form offers them" }),
});

function describe(module: SettingsModule & { executorGroupHint?: Text; runOverrides?: RunOverrides }) {
  return {
    name: module.name,
    label: module.label,
    fields: module.form,
    empty: module.empty,
    ...(module.executorGroupHint ? { executorGroupHint: module.executorGroupHint } : {}),
    ...(module.runOverrides ? { runFields: Object.keys(module.runOverrides.fields) } : {}),
  };
}

const metaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { modules } = app;
  // Built once, as plain data: the modules' declarations are constant for the life of the app.
  const meta = JSON.parse(
    JSON.stringify({ modes: modules.modes.all().map(describe), channels: modules.channels.all().map(describe) }),
  ) as Static<typeof Meta>;

  app.get(
    "/",
    {
      config: { access: "viewer" },
      schema: {
        tags: ["system"],
        operationId: "getMeta",
        summary: "The task modes and notification channels this app knows, with their form fields",
        response: { 200: Meta, ...errors(401) },
      },
    },
    async () => meta,
  );
};

export default metaRoutes;

import { type Static, type TSchema, Type } from "typebox";

// Small schema builders shared by every route file.

export const StringEnum = <const T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
export type IdParams = Static<typeof IdParams>;

export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
});

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  });

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String(),
          message: Type.String(),
          code: Type.Optional(
            Type.String({ description: "what is wrong, for clients that translate it (e.g. REQUIRED, CRON)" }),
          ),
          params: Type.Optional(
            Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
              description: "the values the message names (limit, allowed values, the other field …)",
            }),
          ),
        }),
      ),
    ),
  },
  { $id: "Error" },
);

/**
 * A reference to a schema published once, by its `$id`, under the OpenAPI document's
 * components/schemas (app.ts adds it with app.addSchema): clients generated from the document get
 * it as one named type (the dashboard's Task, RunDetail, …) instead of a copy per operation. For
 * responses only: request bodies stay inline, the validator compiles each route's schema alone.
 */
export function ref<T extends TSchema>(schema: T) {
  const id = (schema as { $id?: string }).$id;
  if (!id) throw new Error("ref(): the schema has no $id");
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

/** Error responses for a route's schema, each referring to the shared Error component. */
export function errors<const C extends number>(...codes: C[]) {
  const error = ref(ErrorResponse);
  return Object.fromEntries(codes.map((code) => [code, error])) as Record<C, typeof error>;
}

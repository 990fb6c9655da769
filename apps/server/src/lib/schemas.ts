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

/** Error responses for a route's schema, each referring to the shared Error component. */
export function errors<const C extends number>(...codes: C[]) {
  const ref = Type.Unsafe<Static<typeof ErrorResponse>>(Type.Ref("Error"));
  return Object.fromEntries(codes.map((code) => [code, ref])) as Record<C, typeof ref>;
}

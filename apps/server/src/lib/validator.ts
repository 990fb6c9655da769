import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";
import { type FieldError, validationError } from "./errors.ts";

// Two validators: bodies are checked strictly (no type coercion, unknown fields refused) so a
// client learns about a typo instead of having it silently dropped; query strings and path
// parameters arrive as text and are coerced to the declared types.
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? "array" : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  });
  addFormats.default(ajv);
  return ajv;
}

const strict = makeAjv(false);
const coercing = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validate = (httpPart === "body" ? strict : coercing).compile(schema as object);
  return (data: unknown) => {
    if (validate(data)) return { value: data };
    return { error: validationError(toFieldErrors(validate.errors ?? [], httpPart)) };
  };
};

/** `/notifyEmails/1` → `notifyEmails[1]`; required and unknown-field errors name the field itself. */
function pointerToField(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

export function toFieldErrors(errors: ErrorObject[], httpPart?: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const err of errors) {
    let field = pointerToField(err.instancePath);
    let message = err.message ?? "is invalid";
    if (err.keyword === "required") {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      field = field ? `${field}.${missing}` : missing;
      message = "is required";
    } else if (err.keyword === "additionalProperties") {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      field = field ? `${field}.${extra}` : extra;
      message = "is not a known field";
    } else if (err.keyword === "enum") {
      message = `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (err.keyword === "anyOf" || err.keyword === "oneOf") {
      continue; // the branch errors already say what is wrong
    }
    if (!field) field = httpPart === "body" ? "body" : (httpPart ?? "request");
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field, message });
    }
  }
  return out;
}

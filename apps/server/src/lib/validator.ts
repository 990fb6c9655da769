import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";
import { type FieldError, type FieldErrorCode, validationError } from "./errors.ts";

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
    let { code, params } = codeOf(err);
    if (err.keyword === "required") {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      field = field ? `${field}.${missing}` : missing;
      message = "is required";
      code = "REQUIRED";
      params = undefined;
    } else if (err.keyword === "additionalProperties") {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      field = field ? `${field}.${extra}` : extra;
      message = "is not a known field";
      code = "UNKNOWN_FIELD";
      params = undefined;
    } else if (err.keyword === "enum") {
      message = `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (err.keyword === "anyOf" || err.keyword === "oneOf") {
      continue; // the branch errors already say what is wrong
    }
    if (!field) field = httpPart === "body" ? "body" : (httpPart ?? "request");
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field, message, code, ...(params ? { params } : {}) });
    }
  }
  return out;
}

/** The field error code (and the values it names) of a schema keyword. */
function codeOf(err: ErrorObject): { code: FieldErrorCode; params?: Record<string, string | number> } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "enum":
      return { code: "ONE_OF", params: { values: (p.allowedValues as unknown[]).map(String).join(", ") } };
    case "type":
      return { code: "TYPE", params: { type: String(p.type) } };
    case "format":
      return { code: "FORMAT", params: { format: String(p.format) } };
    case "minimum":
    case "exclusiveMinimum":
      return { code: "MIN", params: { limit: Number(p.limit) } };
    case "maximum":
    case "exclusiveMaximum":
      return { code: "MAX", params: { limit: Number(p.limit) } };
    case "minLength":
      return { code: "MIN_LENGTH", params: { limit: Number(p.limit) } };
    case "maxLength":
      return { code: "MAX_LENGTH", params: { limit: Number(p.limit) } };
    case "minItems":
      return { code: "MIN_ITEMS", params: { limit: Number(p.limit) } };
    case "maxItems":
    case "maxProperties":
      return { code: "MAX_ITEMS", params: { limit: Number(p.limit) } };
    case "pattern":
      return { code: "PATTERN" };
    default:
      return { code: "INVALID" };
  }
}

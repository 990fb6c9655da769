import { STATUS_CODES } from "node:http";
import type { FieldError, FieldErrorCode } from "@crondeck/core";

// Field errors (what is wrong with one field, by code) are shared with the modules that find them
// and the dashboard that words them: their one home is @crondeck/core.
export { FIELD_ERROR_CODES, type FieldError, type FieldErrorCode } from "@crondeck/core";

/**
 * An error the API answers with on purpose. The body follows Fastify's shape
 * `{statusCode, error, message}` plus a machine-readable `code` and, for validation, `details`.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
  }

  toJSON() {
    return {
      statusCode: this.statusCode,
      error: STATUS_CODES[this.statusCode] ?? "Error",
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function validationError(details: FieldError[]): ApiError {
  const summary = details.map((d) => `${d.field}: ${d.message}`).join("; ");
  return new ApiError(400, "VALIDATION_FAILED", summary, details);
}

export function notFound(what: string, id: number | string): ApiError {
  return new ApiError(404, "NOT_FOUND", `${what} ${id} does not exist`);
}

export function conflict(code: string, message: string, field?: string, fieldCode?: FieldErrorCode): ApiError {
  return new ApiError(
    409,
    code,
    message,
    field ? [{ field, message, ...(fieldCode ? { code: fieldCode } : {}) }] : undefined,
  );
}

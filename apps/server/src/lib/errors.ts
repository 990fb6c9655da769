import { STATUS_CODES } from "node:http";

export interface FieldError {
  field: string;
  message: string;
}

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

export function conflict(code: string, message: string, field?: string): ApiError {
  return new ApiError(409, code, message, field ? [{ field, message }] : undefined);
}

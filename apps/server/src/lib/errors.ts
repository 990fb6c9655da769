import { STATUS_CODES } from "node:http";

/**
 * What is wrong with one field: `message` in English for people reading the API, `code` (and its
 * `params`) for clients that say it in their own language, as the dashboard does.
 */
export interface FieldError {
  field: string;
  message: string;
  code?: FieldErrorCode;
  params?: Record<string, string | number>;
}

/** Every code a field error may carry (the dashboard translates each). */
export const FIELD_ERROR_CODES = [
  "REQUIRED",
  "UNKNOWN_FIELD",
  "ONE_OF",
  "TYPE",
  "FORMAT",
  "MIN",
  "MAX",
  "MIN_LENGTH",
  "MAX_LENGTH",
  "MIN_ITEMS",
  "MAX_ITEMS",
  "MAX_BYTES",
  "PATTERN",
  "INVALID",
  "BLANK",
  "CONTROL_CHARS",
  "INVALID_UNICODE",
  "NUL_CHARS",
  "REQUIRED_WHEN",
  "REQUIRED_UNLESS",
  "ALLOWED_ONLY_WHEN",
  "NOT_ALLOWED_WHEN",
  "HTTP_URL",
  "URL_CREDENTIALS",
  "HEADER_NAME",
  "HEADER_VALUE",
  "NO_LINE_BREAKS",
  "MASKED_HEADER",
  "MASKED_URL",
  "EMAIL",
  "UNKNOWN_ZONE",
  "CRON",
  "SECRET_NEEDED",
  "WRONG_PASSWORD",
  "AFTER",
  "UNKNOWN_TASK",
  "TAKEN",
  "SELF_CHANGE",
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

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

// Field errors are shared by the API (which reports them), the task mode and notification channel
// modules (which find them) and the dashboard (which words each code in the user's language).

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
  "DUPLICATE",
  "DEPENDS_ON_ITSELF",
  "DEPENDENCY_CYCLE",
  "TAKEN",
  "SELF_CHANGE",
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

/** Reports one problem with one field; checks call it for each problem and go on. */
export type Fail = (
  field: string,
  message: string,
  code?: FieldErrorCode,
  params?: Record<string, string | number>,
) => void;

import type { RunError } from "@crondeck/core";
import type { ExecutionResult } from "./types.ts";

/** What a runner decides about an attempt; execute() adds output and timing. */
export type AttemptOutcome = Pick<
  ExecutionResult,
  "status" | "exitCode" | "httpStatus" | "error" | "errorCode" | "errorParams"
>;

/** The outcome fields that say why an attempt did not succeed (none: it did). */
export function errorFields(error: RunError | null): Pick<ExecutionResult, "error" | "errorCode" | "errorParams"> {
  return error === null
    ? { error: null, errorCode: null, errorParams: null }
    : { error: error.message, errorCode: error.code, errorParams: error.params };
}

/**
 * A failed attempt's outcome. A mode's own failure may be a plain English text: it has no code
 * then, and clients show the text as it is.
 */
export function failed(error: RunError | string, fields: Partial<AttemptOutcome> = {}): AttemptOutcome {
  const said = typeof error === "string" ? { error, errorCode: null, errorParams: null } : errorFields(error);
  return { status: "FAILED", exitCode: null, httpStatus: null, ...fields, ...said };
}

/** A successful attempt's outcome. */
export function succeeded(fields: Partial<AttemptOutcome> = {}): AttemptOutcome {
  return { status: "SUCCEEDED", exitCode: null, httpStatus: null, ...fields, ...errorFields(null) };
}

/** A readable one-line reason for any thrown value, digging through wrappers that hide the real cause. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Happy-eyeballs connects fail with an AggregateError whose own message is empty.
  if (err instanceof AggregateError && err.message === "" && err.errors.length > 0) {
    return [...new Set(err.errors.map(describeError))].join("; ");
  }
  const code = (err as NodeJS.ErrnoException).code;
  const message = err.message || code || err.name;
  if (err.cause !== undefined && err.cause !== err) {
    const cause = describeError(err.cause);
    if (cause && !message.includes(cause)) return `${message}: ${cause}`;
  }
  return message;
}

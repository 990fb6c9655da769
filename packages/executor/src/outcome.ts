import type { ExecutionResult } from "./types.ts";

/** What a runner decides about an attempt; execute() adds output and timing. */
export type AttemptOutcome = Pick<ExecutionResult, "status" | "exitCode" | "httpStatus" | "error">;

export function failed(error: string, fields: Partial<AttemptOutcome> = {}): AttemptOutcome {
  return { status: "FAILED", exitCode: null, httpStatus: null, ...fields, error };
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

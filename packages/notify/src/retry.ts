/** A failure with a flag saying whether trying again could help (a 5xx may; a bad address will not). */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = "DeliveryError";
    this.retryable = retryable;
  }
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000 };

// A notification that cannot get out within a minute or so is not going to; the engine is waiting on us.
const MAX_DELAY_MS = 30_000;

export interface RetryOutcome<T> {
  value?: T;
  error?: unknown;
  attempts: number;
}

/**
 * Runs `attempt` until it resolves, throws anything but a retryable DeliveryError, or `attempts` are used up,
 * waiting baseDelayMs·2^(n−1) between tries. Never throws: the last error is returned.
 */
export async function withRetry<T>(policy: RetryPolicy, attempt: (n: number) => Promise<T>): Promise<RetryOutcome<T>> {
  const total = Math.max(1, Math.floor(policy.attempts));
  let lastError: unknown;
  for (let n = 1; n <= total; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (error) {
      lastError = error;
      // Only failures we classified may be retried; anything else is a bug or bad data, the same next time.
      const retryable = error instanceof DeliveryError && error.retryable;
      if (!retryable || n === total) return { error, attempts: n };
      const delay = Math.min(MAX_DELAY_MS, Math.max(0, policy.baseDelayMs) * 2 ** (n - 1));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return { error: lastError, attempts: total };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message || error.name;
    // Node's network errors are clearer with their code (ECONNREFUSED, ETIMEDOUT) when the message lacks it.
    return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

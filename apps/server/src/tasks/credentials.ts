import { maskSecrets } from "@crondeck/notify";
import type { FieldErrorCode } from "../lib/errors.ts";

// Credentials inside a task — header values such as Authorization or X-Api-Key, and the robot
// token in a webhook URL — are write-only, like notifyWebhookSecret: every reader (viewers, the
// audit log, the dashboard's edit form) gets them masked, and sending the mask back on PUT/PATCH
// keeps the stored value.

export const MASK = "***";

const CREDENTIAL_HEADER =
  /authorization|cookie|token|secret|passw|credential|session|signature|auth|api-?key|apikey|(^|[-_])key$/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, isCredentialHeader(name) ? MASK : value]),
  );
}

export function maskWebhookUrl(url: string | null): string | null {
  return url === null ? null : maskSecrets(url);
}

type Fail = (field: string, message: string, code?: FieldErrorCode, params?: Record<string, string | number>) => void;

/** A masked credential header takes the stored value of the same header (names compare case-blind). */
export function restoreHeaders(
  given: Record<string, string>,
  storedJson: string | undefined,
  fail: Fail,
): Record<string, string> {
  const stored = new Map(
    Object.entries(storedJson ? (JSON.parse(storedJson) as Record<string, string>) : {}).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value !== MASK || !isCredentialHeader(name)) {
      out[name] = value;
      continue;
    }
    const kept = stored.get(name.toLowerCase());
    if (kept === undefined)
      fail(`httpHeaders.${name}`, `is masked (${MASK}) but no value is stored; send the value`, "MASKED_HEADER");
    else out[name] = kept;
  }
  return out;
}

/**
 * The stored URL when `given` is its masked form; a URL that carries the mask but is otherwise
 * changed cannot be completed, so it is refused rather than stored with `***` in it.
 */
export function restoreWebhookUrl(given: string | null, stored: string | null | undefined, fail: Fail): string | null {
  if (given === null || !given.includes(MASK)) return given;
  if (stored && maskSecrets(stored) === given) return stored;
  fail("notifyWebhookUrl", `contains a masked token (${MASK}); enter the full URL`, "MASKED_URL");
  return given;
}

import { ApiError, type FieldError, NETWORK_ERROR_STATUS } from "./api-client.ts";
import { isMessageKey, type MessageKey, type Translate } from "./i18n/index.tsx";
import { metaField, metaValueLabel, textIn } from "./meta.ts";

// The API says what went wrong with a `code` (and, per field, a code and its `params`); its
// `message` is English for people reading the API. The dashboard says it in the reader's language
// from the code, and falls back to the message only for a code it does not know.

/**
 * A field's name as the dashboard labels it ("notifyChannel" → "Channel"; a mode's or channel's
 * field by its label in GET /api/meta), else as the API names it.
 */
export function fieldLabel(field: string, t: Translate): string {
  // `notifyEmails[1]` and `httpHeaders.X-Token` are items of their field.
  const base = field.replace(/^\/|^body[./]/, "").replace(/[[./].*$/, "");
  const item = field.slice(field.indexOf(base) + base.length);
  const key = `field.${base}`;
  if (isMessageKey(key)) return `${t(key)}${item}`;
  const declared = metaField(base);
  if (declared) return `${textIn(declared.label, t)}${item}`;
  return field;
}

/** One field's problem in the reader's language. `errorCode` is the whole error's code. */
export function fieldErrorText(detail: FieldError, t: Translate, errorCode?: string): string {
  if (detail.code) {
    const key = `fieldError.${detail.code}`;
    if (isMessageKey(key)) {
      const params: Record<string, string | number> = { ...detail.params };
      const other = params.field;
      if (typeof other === "string") {
        params.field = fieldLabel(other, t);
        // "mode is HTTP", "notifyPolicy is ON_KEYWORD": the value as the form names it.
        const valueKey = `${other}.${params.value}`;
        const declared = metaValueLabel(other, String(params.value), t);
        if (isMessageKey(valueKey)) params.value = t(valueKey);
        else if (declared !== null) params.value = declared;
      }
      return t(key, params);
    }
  }
  // A conflict names its field without a code of its own: say the error's.
  const key = errorCode === "VALIDATION_FAILED" ? null : apiErrorKey(errorCode);
  if (key) return t(key);
  return detail.message;
}

/** Codes said by messages the dashboard already had for them. */
const SAID_AS = {
  NETWORK: "error.network",
  NOT_FOUND: "error.notFound",
  FORBIDDEN: "error.forbidden",
  CSRF_TOKEN_INVALID: "error.csrf",
} as const satisfies Record<string, MessageKey>;

/** The message key that says an API error code, or null for a code the dashboard does not know. */
export function apiErrorKey(code: string | undefined): MessageKey | null {
  if (!code) return null;
  if (Object.hasOwn(SAID_AS, code)) return SAID_AS[code as keyof typeof SAID_AS];
  const key = `apiError.${code}`;
  return isMessageKey(key) ? key : null;
}

/** A sentence for a failed request (or anything thrown), in the reader's language. */
export function apiErrorText(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.code === "VALIDATION_FAILED" && error.details.length > 0) {
    const fields = error.details.map((d) =>
      t("apiError.fieldLine", { field: fieldLabel(d.field, t), problem: fieldErrorText(d, t, error.code) }),
    );
    return t("apiError.VALIDATION_FAILED.fields", { fields: fields.join(t("apiError.fieldSeparator")) });
  }
  const key = error.status === NETWORK_ERROR_STATUS ? "error.network" : apiErrorKey(error.code);
  if (key) return t(key, { seconds: error.retryAfter ?? "?" });
  if (error.status === 404) return t("error.notFound");
  if (error.status === 403) return t("error.forbidden");
  return t("apiError.unknown", { status: error.status, message: error.message });
}

import { apiErrorText } from "../lib/api-errors.ts";
import { type Translate, useI18n } from "../lib/i18n/index.tsx";
import { Button } from "./Button.tsx";

/** A sentence for any thrown value, preferring what the API said. */
export function errorMessage(error: unknown, t: Translate): string {
  return apiErrorText(error, t);
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="error-state" role="alert">
      <p className="error-title">{t("error.title")}</p>
      <p>{errorMessage(error, t)}</p>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          {t("common.retry")}
        </Button>
      ) : null}
    </div>
  );
}

/** A one-line message after an action failed (the page itself is still fine). */
export function InlineAlert({
  children,
  tone = "error",
}: {
  children: string;
  tone?: "error" | "warning" | "success";
}) {
  return (
    <p className={`inline-alert inline-alert-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

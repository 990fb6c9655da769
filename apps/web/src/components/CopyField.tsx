import { useId, useRef, useState } from "react";
import { useI18n } from "../lib/i18n/index.tsx";
import { Button } from "./Button.tsx";

/** A read-only value with a Copy button; falls back to selecting the text when copying is refused. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      // No clipboard access (plain HTTP on another host, permission refused): let the user copy.
      input.current?.select();
      setState("failed");
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field">
        <input
          id={id}
          ref={input}
          className="mono copy-input"
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        <Button onClick={copy} data-testid={testId ? `${testId}-copy` : undefined}>
          {t("copy.button")}
        </Button>
      </div>
      <p className="field-hint" role="status">
        {state === "copied" ? t("copy.done") : state === "failed" ? t("copy.failed") : ""}
      </p>
    </div>
  );
}

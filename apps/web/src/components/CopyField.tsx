import { useId, useRef, useState } from "react";
import { useI18n } from "../lib/i18n/index.tsx";
import { Button } from "./Button.tsx";

/**
 * Copies text to the clipboard; when that is refused (plain HTTP on another host, permission
 * denied) `select` runs so the user can copy by hand. `message` says which happened, for a status line.
 */
export function useCopy(): { copy: (text: string, select: () => void) => Promise<void>; message: string } {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async (text: string, select: () => void) => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      select();
      setState("failed");
    }
  };
  return { copy, message: state === "copied" ? t("copy.done") : state === "failed" ? t("copy.failed") : "" };
}

/** A read-only value with a Copy button; falls back to selecting the text when copying is refused. */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const { copy, message } = useCopy();

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
        <Button
          onClick={() => copy(value, () => input.current?.select())}
          data-testid={testId ? `${testId}-copy` : undefined}
        >
          {t("copy.button")}
        </Button>
      </div>
      <p className="field-hint" role="status">
        {message}
      </p>
    </div>
  );
}

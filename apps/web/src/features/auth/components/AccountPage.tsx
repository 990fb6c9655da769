import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { MIN_PASSWORD_LENGTH } from "../../../lib/passwords.ts";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { changePassword } from "../api/auth-api.ts";

type Fields = "currentPassword" | "newPassword" | "repeat";
const EMPTY: Record<Fields, string> = { currentPassword: "", newPassword: "", repeat: "" };

/** The signed-in user's own password: current one, new one twice. */
export function AccountPage() {
  const { t } = useI18n();
  usePageTitle(t("account.title"));
  const client = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: Fields, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    // A field's message goes as soon as it is edited; the rest stay until the next submit.
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    const found: Partial<Record<Fields, string>> = {};
    if (!values.currentPassword) found.currentPassword = t("form.required");
    if (values.newPassword.length < MIN_PASSWORD_LENGTH)
      found.newPassword = values.newPassword
        ? t("users.passwordTooShort", { n: MIN_PASSWORD_LENGTH })
        : t("form.required");
    else if (values.repeat !== values.newPassword) found.repeat = t("account.mismatch");
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const result = await changePassword(values.currentPassword, values.newPassword);
      setValues(EMPTY);
      setMessage({
        tone: "success",
        text: t("account.changed", { tokens: result.revokedTokens, sessions: result.endedSessions }),
      });
      // The token list (now all revoked) and anything else cached is stale.
      void client.invalidateQueries();
    } catch (error) {
      if (error instanceof ApiError && error.code === "WRONG_PASSWORD")
        setErrors({ currentPassword: t("account.wrongCurrent") });
      else if (error instanceof ApiError && error.status === 429)
        setMessage({ tone: "error", text: t("account.tooMany", { seconds: error.retryAfter ?? 60 }) });
      else setMessage({ tone: "error", text: errorMessage(error, t) });
    } finally {
      setBusy(false);
    }
  };

  const input = (field: Fields, autoComplete: string) => (control: object) => (
    <input
      {...control}
      type="password"
      autoComplete={autoComplete}
      value={values[field]}
      onChange={(e) => set(field, e.target.value)}
    />
  );

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>{t("account.title")}</h1>
          <p className="muted page-intro">{t("account.intro")}</p>
        </div>
      </header>
      <section className="card account-card">
        <form className="dialog-form" onSubmit={submit} noValidate data-testid="password-form">
          <Field id="current-password" label={t("account.current")} error={errors.currentPassword}>
            {input("currentPassword", "current-password")}
          </Field>
          <Field
            id="new-password"
            label={t("account.new")}
            hint={t("users.password.hint", { n: MIN_PASSWORD_LENGTH })}
            error={errors.newPassword}
          >
            {input("newPassword", "new-password")}
          </Field>
          <Field id="repeat-password" label={t("account.repeat")} error={errors.repeat}>
            {input("repeat", "new-password")}
          </Field>
          {message ? <InlineAlert tone={message.tone}>{message.text}</InlineAlert> : null}
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={busy}>
              {t("account.submit")}
            </Button>
          </div>
        </form>
      </section>
    </div>
  );
}

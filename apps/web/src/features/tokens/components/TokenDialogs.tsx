import { type FormEvent, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { CopyField } from "../../../components/CopyField.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { Modal } from "../../../components/Modal.tsx";
import { ApiError, fieldErrorsFrom } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { type Role, rolesUpTo } from "../../../lib/permissions.ts";
import type { CreatedToken, NewToken } from "../api/tokens-api.ts";

/** Lifetimes offered; "" is a token that never expires. */
const EXPIRY_DAYS = ["7", "30", "90", "365", ""] as const;

export function CreateTokenDialog({
  ownRole,
  onCreate,
  onClose,
}: {
  ownRole: Role;
  onCreate: (input: NewToken) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(ownRole);
  const [expiry, setExpiry] = useState<string>("90");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    if (!name.trim()) {
      setErrors({ name: t("form.required") });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await onCreate({ name: name.trim(), role, ...(expiry ? { expiresInDays: Number(expiry) } : {}) });
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0)
        setErrors(fieldErrorsFrom(error.details, (d) => fieldErrorText(d, t, error.code)));
      else setMessage(errorMessage(error, t));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t("tokens.createTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" form="create-token" variant="primary" busy={busy}>
            {t("tokens.create")}
          </Button>
        </>
      }
    >
      <form id="create-token" className="dialog-form" onSubmit={submit} noValidate>
        <Field id="token-name" label={t("tokens.col.name")} hint={t("tokens.name.hint")} error={errors.name}>
          {(control) => (
            <input
              {...control}
              maxLength={64}
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field id="token-role" label={t("tokens.col.role")} hint={t("tokens.role.hint")} error={errors.role}>
          {(control) => (
            <select {...control} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {rolesUpTo(ownRole).map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="token-expiry" label={t("tokens.expiry")} error={errors.expiresInDays}>
          {(control) => (
            <select {...control} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
              {EXPIRY_DAYS.map((days) => (
                <option key={days} value={days}>
                  {days ? t("tokens.expiry.days", { n: days }) : t("tokens.expiry.never")}
                </option>
              ))}
            </select>
          )}
        </Field>
        {message ? <InlineAlert>{message}</InlineAlert> : null}
      </form>
    </Modal>
  );
}

/** The new secret, once: closing this dialog is the last time anyone sees it. */
export function NewTokenDialog({ token, onClose }: { token: CreatedToken; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal
      title={t("tokens.createdTitle", { name: token.name })}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t("tokens.done")}
        </Button>
      }
    >
      <p className="notice notice-warning" role="note" data-testid="token-warning">
        {t("tokens.createdWarning")}
      </p>
      <CopyField label={t("tokens.value")} value={token.token} testId="new-token" />
      <p className="muted">{t("tokens.usage")}</p>
    </Modal>
  );
}

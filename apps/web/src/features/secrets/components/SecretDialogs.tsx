import { type FormEvent, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { Modal } from "../../../components/Modal.tsx";
import { ApiError, fieldErrorsFrom } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { type Translate, useI18n } from "../../../lib/i18n/index.tsx";
import { SECRET_NAME_MAX, SECRET_NAME_PATTERN, SECRET_VALUE_MIN } from "../api/secrets-api.ts";

type Errors = Record<string, string>;

/** Field errors from a refused save (SECRET_EXISTS names `name`); the rest is the form's message. */
function serverErrors(error: unknown, t: Translate): { fields: Errors; message: string | null } {
  if (error instanceof ApiError && error.details.length > 0)
    return { fields: fieldErrorsFrom(error.details, (d) => fieldErrorText(d, t, error.code)), message: null };
  return { fields: {}, message: errorMessage(error, t) };
}

/** What is wrong with a value before sending it, if anything. */
function valueError(value: string, t: Translate): string | undefined {
  if (value === "") return t("form.required");
  if (value.length < SECRET_VALUE_MIN) return t("fieldError.MIN_LENGTH", { limit: SECRET_VALUE_MIN });
  return undefined;
}

/** The value input: a password field, so it is never on screen, and no browser offers to remember it. */
function ValueField({
  id,
  value,
  error,
  onChange,
}: {
  id: string;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { t } = useI18n();
  return (
    <Field id={id} label={t("secrets.value")} hint={t("secrets.value.hint", { n: SECRET_VALUE_MIN })} error={error}>
      {(control) => (
        <input
          {...control}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export function CreateSecretDialog({
  onCreate,
  onClose,
}: {
  onCreate: (input: { name: string; value: string }) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const found: Errors = {};
    if (!trimmed) found.name = t("form.required");
    else if (!SECRET_NAME_PATTERN.test(trimmed)) found.name = t("secrets.badName");
    const badValue = valueError(value, t);
    if (badValue) found.value = badValue;
    setErrors(found);
    setMessage(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await onCreate({ name: trimmed, value });
    } catch (error) {
      const { fields, message } = serverErrors(error, t);
      setErrors(fields);
      setMessage(message);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t("secrets.createTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" form="create-secret" variant="primary" busy={busy}>
            {t("secrets.create")}
          </Button>
        </>
      }
    >
      <form id="create-secret" className="dialog-form" onSubmit={submit} noValidate>
        <Field id="secret-name" label={t("secrets.col.name")} hint={t("secrets.name.hint")} error={errors.name}>
          {(control) => (
            <input
              {...control}
              className="mono"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={SECRET_NAME_MAX}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <ValueField id="secret-value" value={value} error={errors.value} onChange={setValue} />
        {message ? <InlineAlert>{message}</InlineAlert> : null}
      </form>
    </Modal>
  );
}

export function ReplaceSecretDialog({
  name,
  onReplace,
  onClose,
}: {
  name: string;
  onReplace: (value: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    const badValue = valueError(value, t);
    if (badValue) {
      setError(badValue);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      await onReplace(value);
    } catch (err) {
      const { fields } = serverErrors(err, t);
      setError(fields.value);
      setMessage(fields.value ? null : errorMessage(err, t));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t("secrets.replaceTitle", { name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" form="replace-secret" variant="primary" busy={busy}>
            {t("secrets.replaceSubmit")}
          </Button>
        </>
      }
    >
      <form id="replace-secret" className="dialog-form" onSubmit={submit} noValidate>
        <p>{t("secrets.replaceNote", { name })}</p>
        <ValueField id="secret-new-value" value={value} error={error} onChange={setValue} />
        {message ? <InlineAlert>{message}</InlineAlert> : null}
      </form>
    </Modal>
  );
}

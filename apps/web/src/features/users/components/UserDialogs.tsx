import { type FormEvent, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { Modal } from "../../../components/Modal.tsx";
import { ApiError, fieldErrorsFrom } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { type Translate, useI18n } from "../../../lib/i18n/index.tsx";
import { ROLES, type Role } from "../../../lib/permissions.ts";
import { MIN_PASSWORD_LENGTH, type NewUser, USERNAME_PATTERN } from "../api/users-api.ts";

type Errors = Record<string, string>;

/** Field errors from a refused save; whatever belongs to no field becomes the form's message. */
function serverErrors(error: unknown, t: Translate): { fields: Errors; message: string | null } {
  if (error instanceof ApiError && error.code === "USERNAME_TAKEN")
    return { fields: { username: t("users.taken") }, message: null };
  if (error instanceof ApiError && error.details.length > 0)
    return { fields: fieldErrorsFrom(error.details, (d) => fieldErrorText(d, t, error.code)), message: null };
  return { fields: {}, message: errorMessage(error, t) };
}

function passwordError(password: string, t: Translate): string | undefined {
  if (password === "") return t("form.required");
  if (password.length < MIN_PASSWORD_LENGTH) return t("users.passwordTooShort", { n: MIN_PASSWORD_LENGTH });
  return undefined;
}

export function RoleSelect({
  id,
  value,
  onChange,
  label,
}: {
  id: string;
  value: Role;
  onChange: (role: Role) => void;
  label: string;
}) {
  const { t } = useI18n();
  return (
    <Field id={id} label={label} hint={t(`role.${value}.hint`)}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value as Role)}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`role.${role}`)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CreateUserDialog({
  onCreate,
  onClose,
}: {
  onCreate: (input: NewUser) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState<NewUser>({ username: "", password: "", role: "viewer" });
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const username = values.username.trim();
    const found: Errors = {};
    if (!username) found.username = t("form.required");
    else if (!USERNAME_PATTERN.test(username)) found.username = t("users.badUsername");
    const password = passwordError(values.password, t);
    if (password) found.password = password;
    setErrors(found);
    setMessage(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await onCreate({ ...values, username });
    } catch (error) {
      const { fields, message } = serverErrors(error, t);
      setErrors(fields);
      setMessage(message);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t("users.createTitle")}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" form="create-user" variant="primary" busy={busy}>
            {t("users.create")}
          </Button>
        </>
      }
    >
      <form id="create-user" className="dialog-form" onSubmit={submit} noValidate>
        <Field
          id="user-username"
          label={t("users.col.username")}
          hint={t("users.username.hint")}
          error={errors.username}
        >
          {(control) => (
            <input
              {...control}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={64}
              value={values.username}
              onChange={(e) => setValues({ ...values, username: e.target.value })}
            />
          )}
        </Field>
        <Field
          id="user-password"
          label={t("login.password")}
          hint={t("users.password.hint", { n: MIN_PASSWORD_LENGTH })}
          error={errors.password}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="new-password"
              value={values.password}
              onChange={(e) => setValues({ ...values, password: e.target.value })}
            />
          )}
        </Field>
        <RoleSelect
          id="user-role"
          label={t("users.col.role")}
          value={values.role}
          onChange={(role) => setValues({ ...values, role })}
        />
        {errors.role ? <InlineAlert>{errors.role}</InlineAlert> : null}
        {message ? <InlineAlert>{message}</InlineAlert> : null}
      </form>
    </Modal>
  );
}

export function ResetPasswordDialog({
  username,
  onReset,
  onClose,
}: {
  username: string;
  onReset: (password: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = passwordError(password, t);
    setError(found);
    setMessage(null);
    if (found) return;
    setBusy(true);
    try {
      await onReset(password);
    } catch (err) {
      const { fields, message } = serverErrors(err, t);
      setError(fields.password);
      setMessage(message);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t("users.resetTitle", { name: username })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" form="reset-password" variant="primary" busy={busy}>
            {t("users.resetSubmit")}
          </Button>
        </>
      }
    >
      <form id="reset-password" className="dialog-form" onSubmit={submit} noValidate>
        <p>{t("users.resetNote")}</p>
        <Field
          id="reset-password-input"
          label={t("users.newPassword")}
          hint={t("users.password.hint", { n: MIN_PASSWORD_LENGTH })}
          error={error}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {message ? <InlineAlert>{message}</InlineAlert> : null}
      </form>
    </Modal>
  );
}

import {
  CONCURRENCY_POLICIES,
  HTTP_METHODS,
  MISFIRE_POLICIES,
  NOTIFY_CHANNELS,
  NOTIFY_POLICIES,
  TASK_MODES,
  WEBHOOK_FORMATS,
} from "@crondeck/core";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { CheckboxField, Field } from "../../../components/Field.tsx";
import { LeaveDialog } from "../../../components/LeaveDialog.tsx";
import { ApiError, fieldErrorsFrom } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { clearDraft, readDraft, saveDraft } from "../../../lib/drafts.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useBlocker } from "../../../lib/router.tsx";
import { useSession } from "../../../lib/session.tsx";
import {
  applicableFields,
  draftOf,
  type FormField,
  type TaskFormValues,
  taskDraftKey,
  toTaskInput,
  validateForm,
} from "../api/task-form.ts";
import { CronBuilder } from "./CronBuilder.tsx";
import { CronHelper } from "./CronHelper.tsx";
import { NotifyTestButton } from "./NotifyTestButton.tsx";

export interface TaskFormProps {
  initial: TaskFormValues;
  /** The saved task being edited, if any (the notification test can use its secret). */
  taskId?: number;
  /** Editing a task whose webhook secret is saved (the API never returns the secret itself). */
  secretSet?: boolean;
  submitLabel: string;
  saving?: boolean;
  /** The last save's error; its `details` are shown at their fields. */
  saveError?: unknown;
  onSubmit: (input: Record<string, unknown>) => void;
  onCancel?: () => void;
}

const FORM_FIELDS = new Set<string>([
  "name",
  "mode",
  "httpMethod",
  "cron",
  "timezone",
  "command",
  "httpHeaders",
  "httpBody",
  "executorGroup",
  "timeoutSeconds",
  "retryCount",
  "retryIntervalSeconds",
  "concurrencyPolicy",
  "misfirePolicy",
  "misfireGraceSeconds",
  "notifyPolicy",
  "notifyChannel",
  "notifyEmails",
  "notifyWebhookUrl",
  "notifyWebhookFormat",
  "notifyWebhookSecret",
  "notifyKeywords",
  "enabled",
  "remark",
]);

const fieldId = (field: string) => `task-${field}`;

/** After the errors render, take the keyboard to the first field that needs fixing. */
function focusFirstInvalid(form: HTMLFormElement | null) {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus());
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

export function TaskForm({
  initial,
  taskId,
  secretSet,
  submitLabel,
  saving,
  saveError,
  onSubmit,
  onCancel,
}: TaskFormProps) {
  const { t } = useI18n();
  const owner = useSession()?.user.id ?? 0;
  const draftKey = taskDraftKey(taskId);
  // Input typed before the session ended comes back after signing in again.
  const [restored] = useState(() => readDraft<TaskFormValues>(draftKey, owner));
  const [values, setValues] = useState(() => (restored ? { ...initial, ...restored } : initial));
  const [showRestored, setShowRestored] = useState(restored !== null);
  const [leaving, setLeaving] = useState<(() => void) | null>(null);
  const dirty = JSON.stringify(values) !== JSON.stringify(initial);
  const [clientErrors, setClientErrors] = useState<Partial<Record<FormField, string>>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [otherError, setOtherError] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(timeZones, []);
  const applies = applicableFields(values);

  useEffect(() => {
    if (!saveError) return;
    const byField =
      saveError instanceof ApiError
        ? fieldErrorsFrom(saveError.details, (d) => fieldErrorText(d, t, saveError.code))
        : {};
    setServerErrors(byField);
    const unplaced = Object.entries(byField).filter(([field]) => !FORM_FIELDS.has(field));
    const hasPlaced = Object.keys(byField).some((field) => FORM_FIELDS.has(field));
    // Field errors get the "fix the fields" banner from `banner` below, as long as any remain.
    setOtherError(
      unplaced.length > 0
        ? unplaced.map(([field, message]) => `${field}: ${message}`).join("; ")
        : hasPlaced
          ? null
          : errorMessage(saveError, t),
    );
    if (hasPlaced) focusFirstInvalid(formRef.current);
  }, [saveError, t]);

  // Kept while unsaved (secret left out); the page clears it once saved.
  useEffect(() => {
    if (dirty) saveDraft(draftKey, owner, draftOf(values));
    else clearDraft(draftKey);
  }, [dirty, values, draftKey, owner]);

  // Leaving with unsaved changes asks first (links, Cancel, Back; the browser asks on close/reload).
  useBlocker(dirty, (_to, proceed) => setLeaving(() => proceed));

  function set<K extends FormField>(field: K, value: TaskFormValues[K]) {
    setValues((prev) => ({ ...prev, [field]: value }));
    // The user is fixing it: stop showing the stale message for this field.
    if (clientErrors[field]) setClientErrors(({ [field]: _, ...rest }) => rest as typeof clientErrors);
    if (serverErrors[field]) setServerErrors(({ [field]: _, ...rest }) => rest);
  }

  function errorOf(field: FormField): string | undefined {
    return clientErrors[field] ?? serverErrors[field];
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateForm(values);
    const translated: Partial<Record<FormField, string>> = {};
    for (const [field, error] of Object.entries(found)) {
      if (error) translated[field as FormField] = t(error.key, error.vars);
    }
    setClientErrors(translated);
    setServerErrors({});
    setOtherError(null);
    if (Object.keys(translated).length > 0) {
      focusFirstInvalid(formRef.current);
      return;
    }
    onSubmit(toTaskInput(values));
  }

  // Shown while any marked field is still wrong: fixing the last one takes it away.
  const fieldsMarked =
    Object.values(clientErrors).some(Boolean) || Object.keys(serverErrors).some((field) => FORM_FIELDS.has(field));
  const banner = otherError ?? (fieldsMarked ? t("form.invalid") : null);

  const text =
    (field: FormField, type = "text") =>
    (props: object) => (
      <input
        {...props}
        type={type}
        value={values[field] as string}
        onChange={(e) => set(field, e.target.value as never)}
      />
    );

  const select =
    <T extends string>(field: FormField, options: readonly T[], label: (option: T) => string) =>
    (props: object) => (
      <select {...props} value={values[field] as string} onChange={(e) => set(field, e.target.value as never)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {label(option)}
          </option>
        ))}
      </select>
    );

  return (
    <form ref={formRef} className="task-form" onSubmit={submit} noValidate data-testid="task-form">
      {banner ? <InlineAlert>{banner}</InlineAlert> : null}
      {showRestored ? (
        <div className="notice" role="status" data-testid="draft-restored">
          {t("form.draftRestored")}{" "}
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setValues(initial);
              setShowRestored(false);
            }}
          >
            {t("form.draftDiscard")}
          </Button>
        </div>
      ) : null}
      {leaving ? (
        <LeaveDialog
          onStay={() => setLeaving(null)}
          onLeave={() => {
            clearDraft(draftKey);
            setLeaving(null);
            leaving();
          }}
        />
      ) : null}

      <fieldset>
        <legend>{t("form.section.basics")}</legend>
        <Field id={fieldId("name")} label={t("field.name")} error={errorOf("name")}>
          {(p) => <input {...p} value={values.name} maxLength={64} onChange={(e) => set("name", e.target.value)} />}
        </Field>
        <div className="field-row">
          <Field id={fieldId("mode")} label={t("field.mode")} error={errorOf("mode")}>
            {select("mode", TASK_MODES, (m) => t(`mode.${m}`))}
          </Field>
          {applies.httpMethod ? (
            <Field id={fieldId("httpMethod")} label={t("field.httpMethod")} error={errorOf("httpMethod")}>
              {select("httpMethod", HTTP_METHODS, (m) => m)}
            </Field>
          ) : null}
        </div>
        <Field
          id={fieldId("command")}
          label={t(`field.command.${values.mode}`)}
          hint={t(`field.command.${values.mode}.hint`)}
          error={errorOf("command")}
        >
          {(p) =>
            values.mode === "SHELL" ? (
              <textarea
                {...p}
                className="mono"
                rows={3}
                spellCheck={false}
                value={values.command}
                onChange={(e) => set("command", e.target.value)}
              />
            ) : (
              <input
                {...p}
                type="url"
                className="mono"
                spellCheck={false}
                placeholder="https://example.com/hook"
                value={values.command}
                onChange={(e) => set("command", e.target.value)}
              />
            )
          }
        </Field>
        {applies.httpHeaders ? (
          <Field
            id={fieldId("httpHeaders")}
            label={t("field.httpHeaders")}
            hint={t("field.httpHeaders.hint")}
            error={errorOf("httpHeaders")}
          >
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={3}
                spellCheck={false}
                placeholder="Content-Type: application/json"
                value={values.httpHeaders}
                onChange={(e) => set("httpHeaders", e.target.value)}
              />
            )}
          </Field>
        ) : null}
        {applies.httpBody ? (
          <Field id={fieldId("httpBody")} label={t("field.httpBody")} error={errorOf("httpBody")}>
            {(p) => (
              <textarea
                {...p}
                className="mono"
                rows={4}
                spellCheck={false}
                value={values.httpBody}
                onChange={(e) => set("httpBody", e.target.value)}
              />
            )}
          </Field>
        ) : null}
      </fieldset>

      <fieldset>
        <legend>{t("form.section.schedule")}</legend>
        <div className="field-row">
          <Field
            id={fieldId("cron")}
            label={t("field.cron")}
            hint={t("field.cron.hint")}
            error={errorOf("cron")}
            className="grow"
          >
            {(p) => (
              <input
                {...p}
                className="mono"
                spellCheck={false}
                autoComplete="off"
                placeholder="*/5 * * * *"
                value={values.cron}
                onChange={(e) => set("cron", e.target.value)}
              />
            )}
          </Field>
          <Field id={fieldId("timezone")} label={t("field.timezone")} error={errorOf("timezone")}>
            {(p) => (
              <>
                <input
                  {...p}
                  list="timezones"
                  autoComplete="off"
                  value={values.timezone}
                  onChange={(e) => set("timezone", e.target.value)}
                />
                <datalist id="timezones">
                  {zones.map((zone) => (
                    <option key={zone} value={zone} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
        <CronBuilder cron={values.cron} onChange={(cron) => set("cron", cron)} />
        <CronHelper cron={values.cron} timezone={values.timezone} />
        <div className="field-row">
          <Field id={fieldId("misfirePolicy")} label={t("field.misfirePolicy")} error={errorOf("misfirePolicy")}>
            {select("misfirePolicy", MISFIRE_POLICIES, (p) => t(`misfire.${p}`))}
          </Field>
          <Field
            id={fieldId("misfireGraceSeconds")}
            label={t("field.misfireGraceSeconds")}
            error={errorOf("misfireGraceSeconds")}
          >
            {text("misfireGraceSeconds", "number")}
          </Field>
        </div>
        <CheckboxField
          id={fieldId("enabled")}
          label={t("field.enabled")}
          checked={values.enabled}
          onChange={(checked) => set("enabled", checked)}
          error={errorOf("enabled")}
        />
      </fieldset>

      <fieldset>
        <legend>{t("form.section.execution")}</legend>
        <div className="field-row">
          <Field
            id={fieldId("executorGroup")}
            label={t("field.executorGroup")}
            hint={t(`field.executorGroup.${values.mode}.hint`)}
            error={errorOf("executorGroup")}
          >
            {text("executorGroup")}
          </Field>
          <Field id={fieldId("timeoutSeconds")} label={t("field.timeoutSeconds")} error={errorOf("timeoutSeconds")}>
            {text("timeoutSeconds", "number")}
          </Field>
        </div>
        <div className="field-row">
          <Field id={fieldId("retryCount")} label={t("field.retryCount")} error={errorOf("retryCount")}>
            {text("retryCount", "number")}
          </Field>
          <Field
            id={fieldId("retryIntervalSeconds")}
            label={t("field.retryIntervalSeconds")}
            error={errorOf("retryIntervalSeconds")}
          >
            {text("retryIntervalSeconds", "number")}
          </Field>
        </div>
        <Field
          id={fieldId("concurrencyPolicy")}
          label={t("field.concurrencyPolicy")}
          error={errorOf("concurrencyPolicy")}
        >
          {select("concurrencyPolicy", CONCURRENCY_POLICIES, (p) => t(`concurrency.${p}`))}
        </Field>
      </fieldset>

      <fieldset>
        <legend>{t("form.section.notify")}</legend>
        <div className="field-row">
          <Field id={fieldId("notifyPolicy")} label={t("field.notifyPolicy")} error={errorOf("notifyPolicy")}>
            {select("notifyPolicy", NOTIFY_POLICIES, (p) => t(`notifyPolicy.${p}`))}
          </Field>
          {applies.notifyChannel ? (
            <Field id={fieldId("notifyChannel")} label={t("field.notifyChannel")} error={errorOf("notifyChannel")}>
              {select("notifyChannel", NOTIFY_CHANNELS, (c) => t(`notifyChannel.${c}`))}
            </Field>
          ) : null}
        </div>
        {applies.notifyEmails ? (
          <Field
            id={fieldId("notifyEmails")}
            label={t("field.notifyEmails")}
            hint={t("field.list.hint")}
            error={errorOf("notifyEmails")}
          >
            {(p) => (
              <input
                {...p}
                autoComplete="off"
                placeholder="ops@example.com, dev@example.com"
                value={values.notifyEmails}
                onChange={(e) => set("notifyEmails", e.target.value)}
              />
            )}
          </Field>
        ) : null}
        {applies.notifyWebhookUrl ? (
          <Field
            id={fieldId("notifyWebhookUrl")}
            label={t("field.notifyWebhookUrl")}
            hint={t("field.notifyWebhookUrl.hint")}
            error={errorOf("notifyWebhookUrl")}
          >
            {text("notifyWebhookUrl", "url")}
          </Field>
        ) : null}
        {applies.notifyWebhookFormat ? (
          <div className="field-row">
            <Field
              id={fieldId("notifyWebhookFormat")}
              label={t("field.notifyWebhookFormat")}
              error={errorOf("notifyWebhookFormat")}
            >
              {select("notifyWebhookFormat", ["", ...WEBHOOK_FORMATS] as const, (f) =>
                f === "" ? t("webhookFormat.auto") : t(`webhookFormat.${f}`),
              )}
            </Field>
            <Field
              id={fieldId("notifyWebhookSecret")}
              label={t("field.notifyWebhookSecret")}
              hint={secretSet ? t("field.notifyWebhookSecret.set") : t("field.notifyWebhookSecret.hint")}
              error={errorOf("notifyWebhookSecret")}
            >
              {text("notifyWebhookSecret", "password")}
            </Field>
          </div>
        ) : null}
        {applies.notifyWebhookSecret && secretSet && !values.notifyWebhookSecret ? (
          <CheckboxField
            id="task-clearWebhookSecret"
            label={t("field.notifyWebhookSecret.clear")}
            checked={values.clearWebhookSecret}
            onChange={(checked) => set("clearWebhookSecret", checked)}
          />
        ) : null}
        {applies.notifyKeywords ? (
          <Field
            id={fieldId("notifyKeywords")}
            label={t("field.notifyKeywords")}
            hint={t("field.list.hint")}
            error={errorOf("notifyKeywords")}
          >
            {text("notifyKeywords")}
          </Field>
        ) : null}
        {applies.notifyChannel ? (
          <NotifyTestButton
            values={values}
            taskId={taskId}
            onFieldErrors={(errors) => setServerErrors((s) => ({ ...s, ...errors }))}
          />
        ) : null}
      </fieldset>

      <fieldset>
        <legend className="visually-hidden">{t("field.remark")}</legend>
        <Field id={fieldId("remark")} label={t("field.remark")} error={errorOf("remark")}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              maxLength={255}
              value={values.remark}
              onChange={(e) => set("remark", e.target.value)}
            />
          )}
        </Field>
      </fieldset>

      <div className="form-actions">
        <Button type="submit" variant="primary" busy={saving} data-testid="task-form-submit">
          {saving ? t("form.saving") : submitLabel}
        </Button>
        {onCancel ? <Button onClick={onCancel}>{t("common.cancel")}</Button> : null}
      </div>
    </form>
  );
}

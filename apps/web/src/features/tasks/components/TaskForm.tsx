import { CONCURRENCY_POLICIES, type FormField, MISFIRE_POLICIES, NOTIFY_POLICIES } from "@crondeck/core";
import { type ChangeEvent, type FormEvent, Fragment, useEffect, useMemo, useRef, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { CheckboxField, Field } from "../../../components/Field.tsx";
import { LeaveDialog } from "../../../components/LeaveDialog.tsx";
import { ApiError, fieldErrorsFrom } from "../../../lib/api-client.ts";
import { fieldErrorText } from "../../../lib/api-errors.ts";
import { clearDraft, readDraft, saveDraft } from "../../../lib/drafts.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { type Meta, moduleLabel, textIn } from "../../../lib/meta.ts";
import { useBlocker } from "../../../lib/router.tsx";
import { useServerSettings } from "../../../lib/server-settings.ts";
import { useSession } from "../../../lib/session.tsx";
import {
  applicableFields,
  draftOf,
  type FormFieldName,
  fieldText,
  type TaskFormValues,
  taskDraftKey,
  toTaskInput,
  validateForm,
} from "../api/task-form.ts";
import { CronBuilder } from "./CronBuilder.tsx";
import { CronHelper } from "./CronHelper.tsx";
import { DependsOnField } from "./DependsOnField.tsx";
import { NotifyTestButton } from "./NotifyTestButton.tsx";
import { TagInput } from "./TagInput.tsx";

export interface TaskFormProps {
  initial: TaskFormValues;
  /** The modes and channels the server knows (GET /api/meta): their fields are shown from it. */
  meta: Meta;
  /** The saved task being edited, if any (the notification test can use its secret). */
  taskId?: number;
  /** Editing a task: which write-only fields hold a saved value (the API never returns the value). */
  secretsSet?: Record<string, boolean>;
  submitLabel: string;
  saving?: boolean;
  /** The last save's error; its `details` are shown at their fields. */
  saveError?: unknown;
  onSubmit: (input: Record<string, unknown>) => void;
  onCancel?: () => void;
}

/** The form's own fields; a module's fields are added from meta. */
const BASE_FIELDS = [
  "name",
  "mode",
  "cron",
  "timezone",
  "executorGroup",
  "timeoutSeconds",
  "retryCount",
  "retryIntervalSeconds",
  "concurrencyPolicy",
  "misfirePolicy",
  "misfireGraceSeconds",
  "notifyPolicy",
  "notifyChannel",
  "notifyKeywords",
  "notifyLanguage",
  "env",
  "enabled",
  "remark",
  "owner",
  "tags",
  "dependsOn",
  "dependsOnAll",
];

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
  meta,
  taskId,
  secretsSet = {},
  submitLabel,
  saving,
  saveError,
  onSubmit,
  onCancel,
}: TaskFormProps) {
  const { t } = useI18n();
  // Names the language a task without its own gets, so "server default" says which it is.
  const serverSettings = useServerSettings();
  const owner = useSession()?.user.id ?? 0;
  const draftKey = taskDraftKey(taskId);
  // Input typed before the session ended comes back after signing in again.
  const [restored] = useState(() => readDraft<TaskFormValues>(draftKey, owner));
  const [values, setValues] = useState(() => (restored ? { ...initial, ...restored } : initial));
  const [showRestored, setShowRestored] = useState(restored !== null);
  const [leaving, setLeaving] = useState<(() => void) | null>(null);
  const dirty = JSON.stringify(values) !== JSON.stringify(initial);
  const [clientErrors, setClientErrors] = useState<Partial<Record<FormFieldName, string>>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [otherError, setOtherError] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(timeZones, []);
  const applies = applicableFields(values, meta);
  const formFields = useMemo(
    () =>
      new Set([
        ...BASE_FIELDS,
        ...[...meta.modes, ...meta.channels].flatMap((module) => module.fields.map((field) => field.name)),
      ]),
    [meta],
  );

  useEffect(() => {
    if (!saveError) return;
    const byField =
      saveError instanceof ApiError
        ? fieldErrorsFrom(saveError.details, (d) => fieldErrorText(d, t, saveError.code))
        : {};
    setServerErrors(byField);
    const unplaced = Object.entries(byField).filter(([field]) => !formFields.has(field));
    const hasPlaced = Object.keys(byField).some((field) => formFields.has(field));
    // Field errors get the "fix the fields" banner from `banner` below, as long as any remain.
    setOtherError(
      unplaced.length > 0
        ? unplaced.map(([field, message]) => `${field}: ${message}`).join("; ")
        : hasPlaced
          ? null
          : errorMessage(saveError, t),
    );
    if (hasPlaced) focusFirstInvalid(formRef.current);
  }, [saveError, t, formFields]);

  // Kept while unsaved (write-only values left out); the page clears it once saved.
  useEffect(() => {
    if (dirty) saveDraft(draftKey, owner, draftOf(values));
    else clearDraft(draftKey);
  }, [dirty, values, draftKey, owner]);

  // Leaving with unsaved changes asks first (links, Cancel, Back; the browser asks on close/reload).
  useBlocker(dirty, (_to, proceed) => setLeaving(() => proceed));

  // The user is fixing it: stop showing the stale message for this field.
  function touched(field: string) {
    if (clientErrors[field]) setClientErrors(({ [field]: _, ...rest }) => rest as typeof clientErrors);
    if (serverErrors[field]) setServerErrors(({ [field]: _, ...rest }) => rest);
  }

  function set<K extends Exclude<keyof TaskFormValues, "fields" | "secrets" | "clear">>(
    field: K,
    value: TaskFormValues[K],
  ) {
    setValues((prev) => ({ ...prev, [field]: value }));
    touched(field);
  }

  /** A module field's text; write-only values live apart so drafts never hold them. */
  function setModuleField(field: FormField, text: string) {
    const part = field.kind === "secret" ? "secrets" : "fields";
    setValues((prev) => ({ ...prev, [part]: { ...prev[part], [field.name]: text } }));
    touched(field.name);
  }

  function errorOf(field: FormFieldName): string | undefined {
    return clientErrors[field] ?? serverErrors[field];
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateForm(values, meta);
    const translated: Partial<Record<FormFieldName, string>> = {};
    for (const [field, error] of Object.entries(found)) {
      if (error) translated[field] = t(error.key, error.vars);
    }
    setClientErrors(translated);
    setServerErrors({});
    setOtherError(null);
    if (Object.keys(translated).length > 0) {
      focusFirstInvalid(formRef.current);
      return;
    }
    onSubmit(toTaskInput(values, meta));
  }

  // Shown while any marked field is still wrong: fixing the last one takes it away.
  const fieldsMarked =
    Object.values(clientErrors).some(Boolean) || Object.keys(serverErrors).some((field) => formFields.has(field));
  const banner = otherError ?? (fieldsMarked ? t("form.invalid") : null);

  const text =
    (
      field:
        | "misfireGraceSeconds"
        | "executorGroup"
        | "timeoutSeconds"
        | "retryCount"
        | "retryIntervalSeconds"
        | "notifyKeywords",
      type = "text",
    ) =>
    (props: object) => (
      <input {...props} type={type} value={values[field] as string} onChange={(e) => set(field, e.target.value)} />
    );

  const select =
    <T extends string>(
      field: "mode" | "notifyChannel" | "concurrencyPolicy" | "misfirePolicy" | "notifyPolicy" | "notifyLanguage",
      options: readonly T[],
      label: (option: T) => string,
    ) =>
    (props: object) => (
      <select {...props} value={values[field] as string} onChange={(e) => set(field, e.target.value as never)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {label(option)}
          </option>
        ))}
      </select>
    );

  /** One mode or channel field, shown by its kind; its id is `task-<field>` as the API names it. */
  function moduleField(field: FormField) {
    const text = fieldText(field, values);
    const saved = field.kind === "secret" && secretsSet[field.name] === true;
    const hint = saved ? t("form.secretSaved") : field.hint ? textIn(field.hint, t) : undefined;
    const common = {
      spellCheck: false,
      placeholder: field.placeholder,
      value: text,
      onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
        setModuleField(field, e.target.value),
    };
    return (
      <Fragment key={field.name}>
        <Field id={fieldId(field.name)} label={textIn(field.label, t)} hint={hint} error={errorOf(field.name)}>
          {(p) => {
            switch (field.kind) {
              case "code":
              case "keyValue":
                return <textarea {...p} {...common} className="mono" rows={3} />;
              case "textarea":
                return <textarea {...p} {...common} className="mono" rows={4} />;
              case "select":
                return (
                  <select {...p} value={text} onChange={common.onChange}>
                    {(field.options ?? []).map((option) => (
                      <option key={option.value} value={option.value}>
                        {textIn(option.label, t)}
                      </option>
                    ))}
                  </select>
                );
              case "secret":
                return <input {...p} {...common} type="password" autoComplete="new-password" />;
              case "list":
                return <input {...p} {...common} autoComplete="off" />;
              default:
                return <input {...p} {...common} className="mono" autoComplete="off" />;
            }
          }}
        </Field>
        {saved && !text ? (
          <CheckboxField
            id={`${fieldId(field.name)}-clear`}
            label={t("form.secretClear")}
            checked={values.clear[field.name] === true}
            onChange={(checked) => setValues((prev) => ({ ...prev, clear: { ...prev.clear, [field.name]: checked } }))}
          />
        ) : null}
      </Fragment>
    );
  }

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
        <Field id={fieldId("mode")} label={t("field.mode")} error={errorOf("mode")}>
          {select(
            "mode",
            meta.modes.map((m) => m.name),
            (name) => moduleLabel(meta.modes, name, t),
          )}
        </Field>
        {applies.modeFields.map(moduleField)}
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
            hint={applies.mode?.executorGroupHint ? textIn(applies.mode.executorGroupHint, t) : undefined}
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
        <Field id={fieldId("env")} label={t("field.env")} hint={t("field.env.hint")} error={errorOf("env")}>
          {(p) => (
            <textarea
              {...p}
              className="mono"
              rows={3}
              spellCheck={false}
              placeholder="GREETING=hello"
              value={values.env}
              onChange={(e) => set("env", e.target.value)}
            />
          )}
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
              {select(
                "notifyChannel",
                meta.channels.map((c) => c.name),
                (name) => moduleLabel(meta.channels, name, t),
              )}
            </Field>
          ) : null}
        </div>
        {applies.channelFields.map(moduleField)}
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
          <Field
            id={fieldId("notifyLanguage")}
            label={t("field.notifyLanguage")}
            hint={t("field.notifyLanguage.hint")}
            error={errorOf("notifyLanguage")}
          >
            {select("notifyLanguage", ["", "zh", "en"] as const, (language) =>
              language === ""
                ? t("notifyLanguage.default", {
                    language: serverSettings.data?.notifyLanguage
                      ? t(`notifyLanguage.${serverSettings.data.notifyLanguage}`)
                      : t("notifyLanguage.en"),
                  })
                : t(`notifyLanguage.${language}`),
            )}
          </Field>
        ) : null}
        {applies.notifyChannel ? (
          <NotifyTestButton
            values={values}
            meta={meta}
            taskId={taskId}
            onFieldErrors={(errors) => setServerErrors((s) => ({ ...s, ...errors }))}
          />
        ) : null}
      </fieldset>

      <fieldset>
        <legend className="visually-hidden">{t("field.tags")}</legend>
        <div className="field-row">
          <Field
            id={fieldId("tags")}
            label={t("field.tags")}
            hint={t("field.tagsHint")}
            error={errorOf("tags")}
            className="grow"
          >
            {(p) => <TagInput {...p} value={values.tags ?? []} onChange={(tags) => set("tags", tags)} />}
          </Field>
          <Field id={fieldId("owner")} label={t("field.owner")} hint={t("field.ownerHint")} error={errorOf("owner")}>
            {(p) => (
              <input
                {...p}
                type="text"
                maxLength={64}
                value={values.owner ?? ""}
                onChange={(e) => set("owner", e.target.value)}
              />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t("form.section.dependencies")}</legend>
        <DependsOnField
          taskId={taskId}
          value={values.dependsOn ?? []}
          all={values.dependsOnAll ?? false}
          onChange={(dependsOn) => set("dependsOn", dependsOn)}
          onAllChange={(all) => set("dependsOnAll", all)}
          error={errorOf("dependsOn")}
        />
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

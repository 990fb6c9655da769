import { useId, useState } from "react";
import { useI18n } from "../../../lib/i18n/index.tsx";
import {
  buildCron,
  defaultSchedule,
  EVERY_STEPS,
  parseSchedule,
  SCHEDULE_KINDS,
  type Schedule,
  type ScheduleKind,
} from "../api/cron-builder.ts";

const pad = (n: number) => String(n).padStart(2, "0");
const MINUTES = Array.from({ length: 60 }, (_, i) => i);
const DAYS_OF_MONTH = Array.from({ length: 31 }, (_, i) => i + 1);
/** Monday first; cron counts Sunday as 0. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

/**
 * Pickers that write the cron expression for the common schedules, and read the expression in the
 * field back when it is one of them; anything else is left alone and called a custom expression.
 */
export function CronBuilder({ cron, onChange }: { cron: string; onChange: (cron: string) => void }) {
  const { t, locale } = useI18n();
  const id = useId();
  const parsed = parseSchedule(cron);
  // "Custom" picked by hand hides the pickers for the expression it was picked on, even one they
  // could read; the next edit of the field reads it again.
  const [customFor, setCustomFor] = useState<string | null>(null);
  const schedule = customFor === cron ? null : parsed;
  const write = (s: Schedule) => onChange(buildCron(s));
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" });
  // 2023-01-01 was a Sunday: day d of the cron week is that date plus d.
  const dayName = (d: number) => weekday.format(Date.UTC(2023, 0, 1 + d));

  const pickKind = (value: string) => {
    if (value === "custom") return setCustomFor(cron);
    setCustomFor(null);
    const kind = value as ScheduleKind;
    if (parsed?.kind === kind) return;
    write(defaultSchedule(kind));
  };

  const timePicker = (s: Extract<Schedule, { hour: number }>) => (
    <div className="field">
      <label htmlFor={`${id}-time`}>{t("cronBuilder.atTime")}</label>
      <input
        id={`${id}-time`}
        type="time"
        step={60}
        required
        value={`${pad(s.hour)}:${pad(s.minute)}`}
        onChange={(e) => {
          const m = /^(\d{2}):(\d{2})/.exec(e.target.value);
          if (m) write({ ...s, hour: Number(m[1]), minute: Number(m[2]) });
        }}
        data-testid="cron-builder-time"
      />
    </div>
  );

  const everyPicker = (s: Extract<Schedule, { every: number }>) => (
    <div className="field">
      <label htmlFor={`${id}-every`}>{t("cronBuilder.every")}</label>
      <select id={`${id}-every`} value={s.every} onChange={(e) => write({ ...s, every: Number(e.target.value) })}>
        {EVERY_STEPS.map((n) => (
          <option key={n} value={n}>
            {t(s.kind === "seconds" ? "cronBuilder.nSeconds" : "cronBuilder.nMinutes", { n })}
          </option>
        ))}
      </select>
    </div>
  );

  let pickers: React.ReactNode = null;
  if (schedule?.kind === "seconds" || schedule?.kind === "minutes") pickers = everyPicker(schedule);
  else if (schedule?.kind === "hourly")
    pickers = (
      <div className="field">
        <label htmlFor={`${id}-minute`}>{t("cronBuilder.atMinute")}</label>
        <select
          id={`${id}-minute`}
          value={schedule.minute}
          onChange={(e) => write({ ...schedule, minute: Number(e.target.value) })}
        >
          {MINUTES.map((m) => (
            <option key={m} value={m}>
              :{pad(m)}
            </option>
          ))}
        </select>
      </div>
    );
  else if (schedule?.kind === "daily") pickers = timePicker(schedule);
  else if (schedule?.kind === "weekly") {
    const only = schedule.days.length === 1;
    pickers = (
      <>
        <fieldset className="cron-builder-days">
          <legend>{t("cronBuilder.onDays")}</legend>
          {WEEK.map((d) => {
            const checked = schedule.days.includes(d);
            return (
              <label key={d} className="check">
                <input
                  type="checkbox"
                  checked={checked}
                  // At least one day: the last one checked cannot be cleared.
                  disabled={checked && only}
                  onChange={() =>
                    write({ ...schedule, days: checked ? schedule.days.filter((x) => x !== d) : [...schedule.days, d] })
                  }
                />
                {dayName(d)}
              </label>
            );
          })}
        </fieldset>
        {timePicker(schedule)}
      </>
    );
  } else if (schedule?.kind === "monthly")
    pickers = (
      <>
        <div className="field">
          <label htmlFor={`${id}-day`}>{t("cronBuilder.onDay")}</label>
          <select
            id={`${id}-day`}
            value={schedule.day}
            onChange={(e) => write({ ...schedule, day: Number(e.target.value) })}
            aria-describedby={schedule.day > 28 ? `${id}-day-hint` : undefined}
          >
            {DAYS_OF_MONTH.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        {timePicker(schedule)}
      </>
    );

  return (
    <fieldset className="cron-builder" data-testid="cron-builder">
      <legend>{t("cronBuilder.legend")}</legend>
      <div className="cron-builder-row">
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t("cronBuilder.repeat")}</label>
          <select
            id={`${id}-kind`}
            value={schedule?.kind ?? "custom"}
            onChange={(e) => pickKind(e.target.value)}
            data-testid="cron-builder-kind"
          >
            <option value="custom">{t("cronBuilder.kind.custom")}</option>
            {SCHEDULE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`cronBuilder.kind.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        {pickers}
      </div>
      {schedule?.kind === "monthly" && schedule.day > 28 ? (
        <p className="field-hint" id={`${id}-day-hint`}>
          {t("cronBuilder.dayHint")}
        </p>
      ) : null}
      {schedule ? null : (
        <p className="field-hint" data-testid="cron-builder-custom">
          {cron.trim() ? t("cronBuilder.customNote") : t("cronBuilder.emptyNote")}
        </p>
      )}
    </fieldset>
  );
}

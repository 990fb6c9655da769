import { useI18n } from "../lib/i18n/index.tsx";

/** Flips between English and Chinese; the choice is remembered by the i18n provider. */
export function LanguageSwitch({ className = "lang-switch" }: { className?: string }) {
  const { t, lang, setLang } = useI18n();
  return (
    <button
      type="button"
      className={className}
      data-testid="lang-switch"
      aria-label={t("lang.switchToLabel")}
      title={t("lang.label")}
      onClick={() => setLang(lang === "en" ? "zh" : "en")}
    >
      <span aria-hidden="true">文A</span> {t("lang.switchTo")}
    </button>
  );
}

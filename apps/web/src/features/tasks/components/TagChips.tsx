import { useI18n } from "../../../lib/i18n/index.tsx";

/**
 * A task's tags as chips. With `onPick`, each chip is a button that filters the task list by its
 * tag; without it, plain text.
 */
export function TagChips({ tags, onPick }: { tags: readonly string[]; onPick?: (tag: string) => void }) {
  const { t } = useI18n();
  if (tags.length === 0) return null;
  return (
    <ul className="tag-chips" data-testid="tag-chips">
      {tags.map((tag) => (
        <li key={tag}>
          {onPick ? (
            <button
              type="button"
              className="tag-chip tag-chip-button"
              title={t("tags.filterBy", { tag })}
              aria-label={t("tags.filterBy", { tag })}
              data-testid="tag-chip"
              onClick={() => onPick(tag)}
            >
              {tag}
            </button>
          ) : (
            <span className="tag-chip" data-testid="tag-chip">
              {tag}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

import { TAG_MAX_ITEMS, tagKey, tagProblem } from "@crondeck/core";
import { type ClipboardEvent, type KeyboardEvent, useState } from "react";
import { useI18n } from "../../../lib/i18n/index.tsx";

interface TagInputProps {
  id: string;
  value: readonly string[];
  onChange: (tags: string[]) => void;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}

/**
 * Tags as chips with a text box: Enter, space or a comma (also the full-width ，) adds what was
 * typed, Backspace in an empty box removes the last chip. The server's rules (core's tagProblem)
 * are checked as you type; a tag already there in another case is not added twice.
 */
export function TagInput({ id, value, onChange, ...aria }: TagInputProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  /** Adds each tag of `text` (split on spaces and commas); keeps the text that was refused. */
  function commit(text: string): boolean {
    const next = [...value];
    const refused: string[] = [];
    for (const tag of text.split(/[\s,，]+/).filter(Boolean)) {
      if (tagProblem(tag)) {
        refused.push(tag);
        continue;
      }
      if (next.some((have) => tagKey(have) === tagKey(tag))) continue;
      if (next.length >= TAG_MAX_ITEMS) {
        refused.push(tag);
        setProblem(t("tags.tooMany", { limit: TAG_MAX_ITEMS }));
        continue;
      }
      next.push(tag);
    }
    if (next.length !== value.length) onChange(next);
    setDraft(refused.join(" "));
    if (refused.length > 0 && next.length < TAG_MAX_ITEMS) setProblem(t("tags.bad", { tag: refused[0] ?? "" }));
    else if (refused.length === 0) setProblem(null);
    return refused.length === 0;
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === "," || event.key === "，" || event.key === " ") {
      // Enter adds the tag instead of submitting the form; with nothing typed it submits as usual.
      if (event.key !== "Enter" || draft.trim() !== "") {
        event.preventDefault();
        commit(draft);
      }
    } else if (event.key === "Backspace" && draft === "" && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  }

  function onPaste(event: ClipboardEvent<HTMLInputElement>) {
    const text = event.clipboardData.getData("text");
    if (/[\s,，]/.test(text)) {
      event.preventDefault();
      commit(`${draft}${text}`);
    }
  }

  return (
    <div className="tag-input" data-testid="tag-input">
      {value.length > 0 ? (
        <ul className="tag-chips">
          {value.map((tag) => (
            <li key={tag} className="tag-chip" data-testid="tag-input-chip">
              {tag}
              <button
                type="button"
                className="tag-chip-remove"
                aria-label={t("tags.remove", { tag })}
                onClick={() => onChange(value.filter((have) => have !== tag))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        id={id}
        {...aria}
        type="text"
        value={draft}
        placeholder={t("tags.add")}
        maxLength={200}
        onChange={(e) => {
          setDraft(e.target.value);
          setProblem(null);
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        // What is left typed when the box loses focus is added too, so Save never drops it.
        onBlur={() => {
          if (draft.trim()) commit(draft);
        }}
      />
      {problem ? (
        <p className="field-error" role="status" data-testid="tag-input-problem">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

import { useEffect, useMemo, useRef, useState } from "react";
import { Button, ButtonAnchor } from "../../../components/Button.tsx";
import { useCopy } from "../../../components/CopyField.tsx";
import { apiUrl } from "../../../lib/api-client.ts";
import { formatBytes } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useServerSettings } from "../../../lib/server-settings.ts";
import { ansiPlainText, ansiSegments, highlightMatches } from "../api/ansi.ts";
import type { FullOutputInfo } from "../api/runs-api.ts";

/**
 * The run's output with its ANSI colours (rendered as styled text, never as HTML), search with its
 * matches marked, a wrap switch, copy (as plain text), a download of the whole output (or of the
 * start and end when only they were kept, which it says), and the cap on what the page shows.
 */
export function RunOutput({
  runId,
  output,
  live,
  finished,
  truncated,
  bytes,
  full,
}: {
  runId: number;
  output: string;
  live: boolean;
  finished: boolean;
  truncated: boolean;
  bytes: number;
  /** What the download serves, once the run ended (absent while it runs). */
  full?: FullOutputInfo | undefined;
}) {
  const { t } = useI18n();
  const settings = useServerSettings();
  const pre = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const [wrap, setWrap] = useState(true);
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(0);
  const { copy, message: copied } = useCopy();
  const colored = useMemo(() => ansiSegments(output), [output]);
  const { segments, count } = useMemo(() => highlightMatches(colored, query), [colored, query]);
  const shown = count > 0 ? Math.min(current, count - 1) : 0;

  // Bring the current match into view when it changes (typing, Enter, Shift+Enter).
  useEffect(() => {
    if (count === 0) return;
    pre.current?.querySelector(`[data-match="${shown}"]`)?.scrollIntoView({ block: "nearest" });
  }, [shown, count]);

  // Follow the tail while live, unless the reader scrolled up to look at something.
  useEffect(() => {
    const el = pre.current;
    if (el && live && stick.current && output) el.scrollTop = el.scrollHeight;
  }, [output, live]);

  const limit = settings.data?.outputLimitBytes;
  // Only a cut output needs saying what the download holds: otherwise it is what the page shows.
  const fullKept = truncated && finished && full?.kept === true && full.bytes !== null;
  const downloadNote =
    !truncated || !finished || !full
      ? null
      : fullKept
        ? t(full.capped ? "run.downloadCapped" : "run.downloadFull", { size: formatBytes(full.bytes ?? 0, t) })
        : t("run.downloadPartial", { size: formatBytes(limit ?? 0, t) });
  return (
    <section className="card" aria-labelledby="output-title">
      <div className="card-header">
        <h2 id="output-title">{t("run.output")}</h2>
        {live ? (
          <span className="live-pill" data-testid="live-indicator">
            <span className="live-dot" aria-hidden="true" />
            {t("run.live")}
          </span>
        ) : null}
        <div className="output-actions">
          <label className="checkbox-inline">
            <input
              type="checkbox"
              checked={wrap}
              onChange={(e) => setWrap(e.target.checked)}
              data-testid="output-wrap"
            />
            {t("run.wrap")}
          </label>
          {output ? (
            <Button
              size="sm"
              onClick={() =>
                copy(ansiPlainText(output), () => {
                  if (pre.current) window.getSelection()?.selectAllChildren(pre.current);
                })
              }
              data-testid="output-copy"
            >
              {t("copy.button")}
            </Button>
          ) : null}
          {output ? (
            <ButtonAnchor
              size="sm"
              href={apiUrl(`/api/runs/${runId}/output`)}
              download
              data-testid="output-download"
              title={t("run.downloadHint")}
            >
              {fullKept ? t("run.downloadFullButton", { size: formatBytes(full?.bytes ?? 0, t) }) : t("run.download")}
            </ButtonAnchor>
          ) : null}
        </div>
      </div>
      {output ? (
        <div className="output-search">
          <input
            type="search"
            className="output-search-input"
            value={query}
            placeholder={t("run.search")}
            aria-label={t("run.search")}
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(0);
            }}
            onKeyDown={(e) => {
              if (e.key !== "Enter" || count === 0) return;
              e.preventDefault();
              setCurrent((shown + (e.shiftKey ? count - 1 : 1)) % count);
            }}
            data-testid="output-search"
          />
          <span className="muted" role="status" data-testid="output-matches">
            {query ? (count > 0 ? t("run.matchOf", { n: shown + 1, count }) : t("run.noMatch")) : ""}
          </span>
          <span className="muted" role="status">
            {copied}
          </span>
        </div>
      ) : null}
      {truncated ? (
        <p className="notice" data-testid="output-truncated">
          {t("run.truncated", { size: formatBytes(bytes, t) })}
          {downloadNote ? (
            <>
              {" "}
              <span data-testid="output-download-note">{downloadNote}</span>
            </>
          ) : null}
        </p>
      ) : null}
      {output ? (
        <pre
          ref={pre}
          className={wrap ? "output" : "output output-nowrap"}
          data-testid="run-output"
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {segments.map((segment, i) =>
            segment.match !== undefined ? (
              <mark
                // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity but their place
                key={i}
                style={segment.style}
                className={segment.match === shown ? "output-match current" : "output-match"}
                data-match={segment.match}
              >
                {segment.text}
              </mark>
            ) : segment.style ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity but their place
              <span key={i} style={segment.style}>
                {segment.text}
              </span>
            ) : (
              segment.text
            ),
          )}
        </pre>
      ) : (
        <p className="muted" data-testid="run-output-empty">
          {finished ? t("run.noOutput") : t("run.waitingOutput")}
        </p>
      )}
      {limit ? (
        <p className="muted small" data-testid="output-cap">
          {t("run.outputCap", { size: formatBytes(limit, t) })}
        </p>
      ) : null}
    </section>
  );
}

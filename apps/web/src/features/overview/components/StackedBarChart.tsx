import type { RunStatus } from "@crondeck/core";
import { useLayoutEffect, useRef, useState } from "react";
import { formatAxisLabel } from "../../../lib/format.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { type StatsBucket, toChartBucket } from "../api/stats-api.ts";

/** Drawing order from the baseline up: outcomes people look for first sit at the bottom. */
const SERIES: readonly RunStatus[] = [
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "LOST",
  "CANCELED",
  "SKIPPED",
  "RUNNING",
  "QUEUED",
];

/** The drawing's width before the figure is measured (and where ResizeObserver is missing). */
const DEFAULT_WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

/**
 * The figure's width in CSS pixels. The SVG is drawn at that width, one unit a pixel, so its 11 px
 * labels stay 11 px on a phone instead of shrinking with a scaled-down 640-unit drawing.
 */
function useWidth(): [React.RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement | null>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  // Measured before the first paint, so a phone never shows the 640-unit drawing scaled down.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && el.clientWidth > 0) setWidth(el.clientWidth);
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** A round axis top: four gridline steps of 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const raw = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return step * 4;
}

/** Runs per time bucket, stacked by outcome; plain SVG so it costs no bundle weight. */
export function StackedBarChart({
  title,
  buckets,
  unit,
  testId,
}: {
  title: string;
  buckets: StatsBucket[];
  unit: "hour" | "day";
  testId?: string;
}) {
  const { t, locale } = useI18n();
  const [figure, WIDTH] = useWidth();
  const bars = buckets.map(toChartBucket);
  const totals = bars.map((b) => SERIES.reduce((sum, s) => sum + (b.counts[s] ?? 0), 0));
  const total = totals.reduce((a, b) => a + b, 0);
  const max = niceMax(Math.max(0, ...totals));
  const present = SERIES.filter((s) => bars.some((b) => (b.counts[s] ?? 0) > 0));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  // As many axis labels as fit (a label needs about 48 px by the hour, 60 px by the day), at most 8 or 7.
  const labels = Math.max(2, Math.min(unit === "hour" ? 8 : 7, Math.floor(plotW / (unit === "hour" ? 48 : 60))));
  const labelEvery = Math.ceil(bars.length / labels);

  return (
    <figure className="chart" data-testid={testId} ref={figure}>
      <figcaption className="chart-title">{title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={t("overview.chartLabel", { title, total })}
        className="chart-svg"
      >
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} className="chart-grid" />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" className="chart-axis">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {bars.map(({ time, counts }, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const label = formatAxisLabel(time, locale, unit);
          let base = 0;
          const detail = SERIES.filter((s) => (counts[s] ?? 0) > 0)
            .map((s) => `${t(`status.${s}`)} ${counts[s]}`)
            .join(", ");
          return (
            <g key={time || i}>
              <title>{`${label}: ${detail || "0"}`}</title>
              <rect x={PAD.left + i * slot} y={PAD.top} width={slot} height={plotH} className="chart-hit" />
              {SERIES.map((s) => {
                const v = counts[s] ?? 0;
                if (v <= 0) return null;
                const top = y(base + v);
                const h = y(base) - top;
                base += v;
                return <rect key={s} x={x} y={top} width={barW} height={h} className={`chart-bar fill-${s}`} />;
              })}
              {i % labelEvery === 0 ? (
                <text x={x + barW / 2} y={HEIGHT - 8} textAnchor="middle" className="chart-axis">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {total === 0 ? <p className="chart-empty muted">{t("overview.noData")}</p> : null}
      {present.length > 0 ? (
        <ul className="chart-legend">
          {present.map((s) => (
            <li key={s}>
              <span className={`legend-swatch fill-${s}`} aria-hidden="true" />
              {t(`status.${s}`)}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

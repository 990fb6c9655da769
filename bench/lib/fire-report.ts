import { availableParallelism } from "node:os";
import type { FireResult } from "./fire-scenario.ts";
import type { Profiled } from "./orchestrate.ts";
import { formatTable, mb, ms, pct } from "./table.ts";

/** Whole-machine busy time in core-% (200% = both cores of a 2-core machine). */
const machineCores = (r: FireResult) =>
  r.usage.machinePct === null ? null : r.usage.machinePct * availableParallelism();

/** Busy time not charged to the app, its shells, MariaDB or the target: other work on the machine. */
function unaccounted(r: FireResult): number | null {
  const machine = machineCores(r);
  if (machine === null) return null;
  const u = r.usage;
  return Math.max(
    0,
    machine -
      u.cpuPct -
      (u.childrenCpuPct ?? 0) -
      Object.values(u.othersPct).reduce<number>((sum, v) => sum + (v ?? 0), 0),
  );
}

/**
 * The fire figures of several scenarios side by side, one column each, then their CPU profiles.
 * Executor processes (NATS) get their own CPU and RSS rows when a scenario had them.
 */
export function fireTable(results: Array<[string, Profiled<FireResult>]>): string {
  const header = ["figure", ...results.map(([label]) => label)];
  const col = (f: (r: FireResult) => string) => results.map(([, { result }]) => f(result));
  const status = (s: string) => (r: FireResult) => String(r.figures.byStatus[s] ?? 0);
  const rows: Array<[string, (r: FireResult) => string]> = [
    ["expected slots", (r) => `${r.figures.tasks}×${r.figures.slotsPerTask}=${r.figures.expected}`],
    ["recorded", (r) => String(r.figures.recorded)],
    ["MISSED", (r) => String(r.figures.missed)],
    ["duplicates", (r) => String(r.figures.duplicates)],
    ["  SUCCEEDED", status("SUCCEEDED")],
    ["  SKIPPED (FORBID)", status("SKIPPED")],
    ["  FAILED", status("FAILED")],
    [
      "  other",
      (r) =>
        String(
          r.figures.recorded - ["SUCCEEDED", "SKIPPED", "FAILED"].reduce((n, s) => n + (r.figures.byStatus[s] ?? 0), 0),
        ),
    ],
    ["lateness p50 ms", (r) => ms(r.figures.lateness.p50)],
    ["lateness p99 ms", (r) => ms(r.figures.lateness.p99)],
    ["lateness max ms", (r) => ms(r.figures.lateness.max)],
    ["claim lag p50 ms", (r) => ms(r.figures.claimLag.p50)],
    ["claim lag p99 ms", (r) => ms(r.figures.claimLag.p99)],
    ["claim lag max ms", (r) => ms(r.figures.claimLag.max)],
    ["run duration p50 ms", (r) => ms(r.figures.durationMs.p50)],
    ["end write lag p99 ms", (r) => ms(r.figures.recordLag.p99)],
    ["worst slot missed", (r) => (r.figures.worstSlot ? `${r.figures.worstSlot.missed}` : "0")],
    ["app CPU (1 core=100%)", (r) => pct(r.usage.cpuPct)],
    ["shells' CPU", (r) => pct(r.usage.childrenCpuPct)],
    ["MariaDB CPU", (r) => pct(r.usage.othersPct.mariadb)],
    ["HTTP target CPU", (r) => pct(r.usage.othersPct.target)],
    ["executors' CPU (sum)", (r) => pct(sumOf(executorLabels(r).map((l) => r.usage.othersPct[l])))],
    ["nats-server CPU", (r) => pct(r.usage.othersPct.nats)],
    ["machine busy (cores)", (r) => pct(machineCores(r))],
    ["other processes", (r) => pct(unaccounted(r))],
    ["RSS max", (r) => mb(r.usage.maxRss)],
    ["executor RSS idle", (r) => rssOf(r, "idle")],
    ["executor RSS max", (r) => rssOf(r, "max")],
    ["loop delay p99 ms", (r) => ms(r.usage.loopDelay.p99)],
    ["loop delay max ms", (r) => ms(r.usage.loopDelay.max)],
    ["start→armed ms", (r) => ms(r.startMs)],
    ["close ms", (r) => ms(r.closeMs)],
  ];
  const lines = [
    formatTable(
      header,
      rows.map(([name, f]) => [name, ...col(f)]),
    ),
  ];
  for (const [label, { profile }] of results) {
    if (!profile) continue;
    lines.push(`\nCPU profile ${label} (self time by package, ${ms(profile.totalMs / 1000, 1)} s sampled):`);
    for (const p of profile.byPackage)
      lines.push(`  ${p.pct.toFixed(1).padStart(5)}%  ${ms(p.ms).padStart(7)} ms  ${p.what}`);
  }
  return lines.join("\n");
}

const executorLabels = (r: FireResult) => Object.keys(r.usage.othersPct).filter((l) => l.startsWith("executor"));

function sumOf(values: Array<number | null | undefined>): number | null {
  return values.length === 0 || values.some((v) => v == null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
}

/** The executors' RSS, each (idle, or the most in the window). */
function rssOf(r: FireResult, which: "idle" | "max"): string {
  const labels = executorLabels(r);
  if (labels.length === 0) return "-";
  return labels
    .map((l) => {
      const v = r.usage.othersRss[l]?.[which];
      return v == null ? "-" : mb(v);
    })
    .join(" / ");
}

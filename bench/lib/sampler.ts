import { monitorEventLoopDelay } from "node:perf_hooks";
import { machineCpuMs, processCpuMs, processRssBytes, reapedChildrenCpuMs } from "./proc.ts";

/** One reading of the counters; CPU figures are cumulative, so windows are differences. */
export interface Sample {
  at: number;
  rss: number;
  cpuMs: number;
  childrenCpuMs: number | null;
  machine: { busy: number; total: number } | null;
  /** Cumulative CPU ms of the watched outside processes, by label. */
  others: Record<string, number | null>;
  /** Their RSS (bytes), by label. */
  othersRss: Record<string, number | null>;
}

export interface WindowUsage {
  wallMs: number;
  /** This process (process.cpuUsage), as % of one core. */
  cpuPct: number;
  childrenCpuPct: number | null;
  /** Whole machine busy %, of all cores. */
  machinePct: number | null;
  othersPct: Record<string, number | null>;
  maxRss: number;
  /** RSS of the watched outside processes: before the window (idle) and the most inside it. */
  othersRss: Record<string, { idle: number | null; max: number | null }>;
  /** Event-loop delay over the window (ms). */
  loopDelay: { p50: number; p99: number; max: number };
}

/**
 * Samples RSS and CPU every `intervalMs` and the event-loop delay continuously. `usage(from, to)`
 * reports the window between the first sample at or after `from` and the last at or before `to`.
 */
export class ResourceSampler {
  readonly samples: Sample[] = [];
  readonly #loop = monitorEventLoopDelay({ resolution: 10 });
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly others: Record<string, number | null> = {}) {}

  start(intervalMs = 1000): void {
    this.samples.push(this.#read());
    this.#timer = setInterval(() => this.samples.push(this.#read()), intervalMs);
  }

  /** Starts the event-loop histogram afresh (at the window's start). */
  resetLoopDelay(): void {
    this.#loop.disable();
    this.#loop.reset();
    this.#loop.enable();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.samples.push(this.#read());
    this.#loop.disable();
  }

  usage(from: number, to: number): WindowUsage {
    const inside = this.samples.filter((s) => s.at >= from && s.at <= to);
    const first = inside[0] ?? this.samples[0];
    const last = inside[inside.length - 1] ?? this.samples[this.samples.length - 1];
    if (!first || !last) throw new Error("no samples");
    const wallMs = Math.max(1, last.at - first.at);
    const pct = (a: number | null, b: number | null) => (a === null || b === null ? null : ((b - a) / wallMs) * 100);
    const othersPct: Record<string, number | null> = {};
    const othersRss: WindowUsage["othersRss"] = {};
    for (const label of Object.keys(this.others)) {
      othersPct[label] = pct(first.others[label] ?? null, last.others[label] ?? null);
      const inWindow = inside.map((s) => s.othersRss[label]).filter((v): v is number => typeof v === "number");
      othersRss[label] = {
        idle: this.samples[0]?.othersRss[label] ?? null,
        max: inWindow.length > 0 ? Math.max(...inWindow) : null,
      };
    }
    const machine =
      first.machine && last.machine
        ? ((last.machine.busy - first.machine.busy) / Math.max(1, last.machine.total - first.machine.total)) * 100
        : null;
    const ms = (ns: number) => ns / 1e6;
    return {
      wallMs,
      cpuPct: pct(first.cpuMs, last.cpuMs) ?? 0,
      childrenCpuPct: pct(first.childrenCpuMs, last.childrenCpuMs),
      machinePct: machine,
      othersPct,
      othersRss,
      maxRss: Math.max(...inside.map((s) => s.rss), 0),
      loopDelay: { p50: ms(this.#loop.percentile(50)), p99: ms(this.#loop.percentile(99)), max: ms(this.#loop.max) },
    };
  }

  #read(): Sample {
    const cpu = process.cpuUsage();
    const others: Record<string, number | null> = {};
    const othersRss: Record<string, number | null> = {};
    for (const [label, pid] of Object.entries(this.others)) {
      others[label] = pid === null ? null : processCpuMs(pid);
      othersRss[label] = pid === null ? null : processRssBytes(pid);
    }
    return {
      at: Date.now(),
      rss: process.memoryUsage.rss(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      childrenCpuMs: reapedChildrenCpuMs(),
      machine: machineCpuMs(),
      others,
      othersRss,
    };
  }
}

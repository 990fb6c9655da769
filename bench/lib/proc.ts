import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

// Linux /proc readers. CPU the Node process cannot see through process.cpuUsage(): the machine as a
// whole (are both cores saturated?), the shells it spawned, and other processes (MariaDB, the HTTP
// target), so the bottleneck can be placed. Everything returns null where /proc is missing.

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const tickMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS;

/** Fields of /proc/<pid>/stat after "(comm)", so index 0 is field 3 (state). */
function statFields(pid: number | "self"): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** CPU time (ms) a process has used, user + system. */
export function processCpuMs(pid: number): number | null {
  const f = statFields(pid);
  return f ? tickMs(Number(f[11]) + Number(f[12])) : null;
}

/** Resident memory (bytes) of a process. */
export function processRssBytes(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (ms) of this process's children that have been waited for (the SHELL runs). */
export function reapedChildrenCpuMs(): number | null {
  const f = statFields("self");
  return f ? tickMs(Number(f[13]) + Number(f[14])) : null;
}

/** Busy and total CPU time (ms, summed over all cores) of the whole machine since boot. */
export function machineCpuMs(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    return { busy: tickMs(total - idle), total: tickMs(total) };
  } catch {
    return null;
  }
}

/** The pid of the first process whose command name is one of `names` (e.g. the local MariaDB). */
export function findPid(names: readonly string[]): number | null {
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (names.includes(readFileSync(`/proc/${entry}/comm`, "utf8").trim())) return Number(entry);
      } catch {}
    }
  } catch {}
  return null;
}

import { readFileSync } from "node:fs";

// Summarizes a V8 .cpuprofile (node --cpu-prof) by where the time went: self time per package
// (node_modules package, node: module, or Crondeck workspace package). Native frames without a
// script (a SQLite step, a fork) are charged to the package that called them, marked "(native)".

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  what: string;
  ms: number;
  pct: number;
}

function categoryOfUrl(url: string): string {
  const pkg = url.lastIndexOf("node_modules/");
  if (pkg >= 0) {
    const parts = url.slice(pkg + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const ws = url.match(/\/(packages|apps)\/([^/]+)\//);
  if (ws) return `crondeck/${ws[2]}`;
  if (url.includes("/bench/")) return "bench";
  return url;
}

export function summarizeProfile(file: string, top = 14): { totalMs: number; byPackage: ProfileShare[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryCache = new Map<number, string>();
  const categoryOf = (id: number): string => {
    const cached = categoryCache.get(id);
    if (cached) return cached;
    const node = byId.get(id);
    let category: string;
    if (!node) category = "?";
    else if (node.callFrame.url) category = categoryOfUrl(node.callFrame.url);
    else if (node.callFrame.functionName.startsWith("(")) category = node.callFrame.functionName;
    else {
      const up = parent.get(id);
      const caller = up === undefined ? "?" : categoryOf(up).replace(/ \(native\)$/, "");
      category = caller.startsWith("(") ? `(native) ${node.callFrame.functionName}` : `${caller} (native)`;
    }
    categoryCache.set(id, category);
    return category;
  };
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    totalUs += dt;
    const category = categoryOf(id);
    selfUs.set(category, (selfUs.get(category) ?? 0) + dt);
  });
  const byPackage = [...selfUs]
    .filter(([what]) => what !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([what, us]) => ({ what, ms: us / 1000, pct: (us / Math.max(1, totalUs)) * 100 }));
  return { totalMs: totalUs / 1000, byPackage };
}

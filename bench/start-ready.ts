import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { rssMb, startApp } from "./lib/app-process.ts";
import { seedTasks } from "./lib/seed.ts";
import { startupTask } from "./lib/task-mix.ts";

// Process start → `/readyz` 200, and the server's RSS once started, for the ways Crondeck can be
// launched: from TypeScript through tsx (what `pnpm start` ran before the production build) and
// plain node on the compiled output (what `pnpm start` runs now; `pnpm build` first).
//   pnpm --filter @crondeck/bench bench:start -- --runs 5 [--tasks 100000 | --db /path/to/seeded.db]
// --tasks seeds that many enabled tasks (bench/lib/task-mix.ts: hourly or rarer, 5 zones) into a
// template SQLite file first. Each run gets a fresh copy of the template (or an empty file), so
// migrations and arming are part of the figure exactly as at a real start.

const root = fileURLToPath(new URL("..", import.meta.url));
const serverDir = join(root, "apps/server");

const MODES: Record<string, string[]> = {
  tsx: ["--import", "tsx", "src/server.ts"],
  dist: ["--conditions=crondeck-dist", "dist/server.js"],
};

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    db: { type: "string" },
    tasks: { type: "string", default: "0" },
    modes: { type: "string", default: "tsx,dist" },
    settle: { type: "string", default: "2000" },
  },
});

let template = values.db;
let templateDir: string | undefined;
const tasks = Number(values.tasks);
if (!template && tasks > 0) {
  templateDir = mkdtempSync(join(tmpdir(), "crondeck-start-template-"));
  template = join(templateDir, "template.db");
  const { ms } = await seedTasks(`file:${template}`, tasks, startupTask);
  console.log(`seeded ${tasks} tasks in ${(ms / 1000).toFixed(1)} s`);
}

async function once(mode: string): Promise<{ readyMs: number; rssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), "crondeck-start-"));
  const file = join(dir, "bench.db");
  if (template) copyFileSync(template, file);
  const app = await startApp({ label: mode, cwd: serverDir, args: MODES[mode] as string[], databaseFile: file });
  try {
    await new Promise((resolve) => setTimeout(resolve, Number(values.settle)));
    return { readyMs: app.readyMs, rssMb: rssMb(app.pid) };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const modes = (values.modes as string).split(",");
if (modes.includes("dist") && !existsSync(join(serverDir, "dist/server.js"))) {
  throw new Error("apps/server/dist/server.js is missing: run `pnpm build` first");
}
console.log(
  `start → /readyz 200 and RSS ${Number(values.settle) / 1000} s later; SQLite ${values.db ?? `with ${tasks} tasks`}`,
);
console.log("| launch | runs | ready ms (median, min–max) | RSS MB (median, min–max) |");
console.log("|---|---|---|---|");
for (const mode of modes) {
  const results = [];
  for (let i = 0; i < Number(values.runs); i++) results.push(await once(mode));
  const ready = results.map((r) => r.readyMs);
  const rss = results.map((r) => r.rssMb);
  const launch = `node ${(MODES[mode] as string[]).join(" ")}`;
  console.log(
    `| \`${launch}\` | ${results.length} | ${Math.round(median(ready))} (${Math.round(Math.min(...ready))}–${Math.round(Math.max(...ready))}) | ${median(rss)} (${Math.min(...rss)}–${Math.max(...rss)}) |`,
  );
}
if (templateDir) rmSync(templateDir, { recursive: true, force: true });

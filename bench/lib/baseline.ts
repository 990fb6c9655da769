import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// An older commit of this repository, built as `pnpm build:server` builds it, for benches that
// measure before and after in one run. Exported with `git archive` into a temp folder (no worktree
// is registered in the repository), installed from the local pnpm store.

export interface Checkout {
  dir: string;
  /** How its `pnpm start` launched the server: node's arguments, relative to `dir`. */
  startArgs: string[];
  remove(): void;
}

/** `ref` is a commit (exported and built, a few minutes) or a folder already built. */
export function builtCheckout(repoRoot: string, ref: string): Checkout {
  const given = existsSync(join(ref, "package.json"));
  const dir = given ? ref : mkdtempSync(join(tmpdir(), "crondeck-baseline-"));
  if (!given) {
    console.log(`exporting ${ref} into ${dir}, installing and building its server…`);
    execSync(`git -C ${JSON.stringify(repoRoot)} archive ${ref} | tar -x -C ${JSON.stringify(dir)}`);
    execFileSync("pnpm", ["install", "--offline", "--frozen-lockfile"], { cwd: dir, stdio: "ignore" });
    execFileSync("pnpm", ["build:server"], { cwd: dir, stdio: "ignore" });
  }
  return {
    dir,
    startArgs: startArgs(dir),
    remove: () => {
      if (!given) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** node's arguments in the root package.json's `start` script ("node --conditions=… apps/server/dist/server.js"). */
export function startArgs(dir: string): string[] {
  const start = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: { start: string } }).scripts
    .start;
  const [node, ...args] = start.trim().split(/\s+/);
  if (node !== "node") throw new Error(`${dir}: its start script does not run node: ${start}`);
  return args;
}

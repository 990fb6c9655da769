import { readdirSync, readFileSync } from "node:fs";

/**
 * Signals to a whole process group. A SHELL run is spawned detached, so its shell leads a group whose
 * id is the shell's pid, and everything it starts (pipelines, `cmd &`, nested shells) stays in it
 * unless it deliberately calls setsid.
 */

/** Sends `signal` to every process in the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    // EPERM: a member changed user; it exists, but we may not signal it.
    if ((err as NodeJS.ErrnoException).code === "EPERM") return true;
    throw err;
  }
}

/**
 * Whether a process of the group is still running. kill(-pgid, 0) also counts zombies, which linger
 * until init reaps them (lazily on some container inits, never when Node itself is PID 1 without an
 * init); where /proc exists, a group of only zombies counts as gone, since nothing in it runs anymore.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  return liveMembersInProc(pgid) ?? true;
}

const PID_DIR = /^\d+$/;

/** Whether /proc lists a non-zombie process of the group; null where there is no /proc. */
function liveMembersInProc(pgid: number): boolean | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!PID_DIR.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses, so parse after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ", 3);
    if (Number(pgrp) === pgid && state !== "Z") return true;
  }
  return false;
}

/**
 * Terminates a process group: SIGTERM now, SIGKILL after `graceMs` to whatever is still there.
 * Idempotent; `cancel()` drops the pending SIGKILL once the group is known to be gone.
 */
export class GroupTerminator {
  private killTimer: NodeJS.Timeout | null = null;
  private started = false;
  private killedAt: number | null = null;

  constructor(
    private readonly pgid: number,
    private readonly graceMs: number,
  ) {}

  get terminating(): boolean {
    return this.started;
  }

  /** Milliseconds since SIGKILL was sent, or null if it was not. */
  sinceKill(): number | null {
    return this.killedAt === null ? null : Date.now() - this.killedAt;
  }

  terminate(): void {
    if (this.started) return;
    this.started = true;
    if (!signalGroup(this.pgid, "SIGTERM")) return;
    this.killTimer = setTimeout(() => {
      this.killTimer = null;
      this.killedAt = Date.now();
      signalGroup(this.pgid, "SIGKILL");
    }, this.graceMs);
  }

  cancel(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
  }
}

/**
 * Stops what is left of a run's process group after the process that spawned it died: a successor
 * on the same host calls it before the run is retried, so a command never runs twice at once. A
 * group id may have been reused since, so only a group whose members carry the run's id in their
 * environment (CRONDECK_RUN_ID) is signalled. Resolves to how many processes it found.
 */
export async function stopOrphanGroup(pgid: number, runId: number, graceMs = 2_000): Promise<number> {
  const members = runMembers(pgid, runId);
  if (members === 0) return 0;
  signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupAlive(pgid)) {
    signalGroup(pgid, "SIGKILL");
    const killDeadline = Date.now() + 1_000;
    while (groupAlive(pgid) && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return members;
}

/** Processes of the group whose environment names the run (none where there is no /proc). */
function runMembers(pgid: number, runId: number): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  const marker = `\0CRONDECK_RUN_ID=${runId}\0`;
  let found = 0;
  for (const entry of entries) {
    if (!PID_DIR.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ", 3);
      if (Number(pgrp) !== pgid || state === "Z") continue;
      if (`\0${readFileSync(`/proc/${entry}/environ`, "latin1")}`.includes(marker)) found++;
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

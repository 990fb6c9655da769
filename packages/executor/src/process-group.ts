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

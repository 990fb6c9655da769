import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { runError } from "@crondeck/core";
import type { AttemptControl, StopReason } from "./attempt-control.ts";
import type { AttemptContext } from "./mode.ts";
import { type AttemptOutcome, describeError, errorFields, failed, succeeded } from "./outcome.ts";
import { GroupTerminator, groupAlive } from "./process-group.ts";
import { taskEnvironment } from "./task-env.ts";

export const DEFAULT_KILL_GRACE_MS = 2000;
const SHELL = "/bin/sh";
/**
 * Runs the command (`$CRONDECK_COMMAND`) in this shell after starting a watchdog in the same process group. The
 * watchdog blocks reading fd 3, a pipe whose other end only the process that spawned the run
 * holds: if that process dies (kill -9, a crash), the read ends and the watchdog stops the whole
 * group (SIGTERM, SIGKILL 2 s later), so no orphan keeps running while the run is retried
 * elsewhere. While the run's owner lives the watchdog dies with the group like any member.
 */
const WRAPPER = [
  '( read -r _ <&3; trap "" TERM; kill -TERM 0; sleep 2; kill -KILL 0 ) </dev/null >/dev/null 2>&1 &',
  "exec 3<&-",
  '__crondeck_command=$CRONDECK_COMMAND; unset CRONDECK_COMMAND; eval "$__crondeck_command"',
].join("\n");
/** How long killed group members may linger after SIGKILL before we stop waiting (see waitForGroupExit). */
const AFTER_KILL_WAIT_MS = 1000;
const GROUP_POLL_MS = 50;

/**
 * The working directory of SHELL runs: `CRONDECK_SHELL_CWD` when set, else the OS temp directory.
 * Why not the executor's own cwd: that is wherever the service happened to be started (often the repo
 * checkout), so relative paths in tasks would silently depend on it. The temp dir exists and is writable
 * on every host; tasks that care should `cd` or use absolute paths.
 */
export function defaultShellCwd(): string {
  return process.env.CRONDECK_SHELL_CWD || tmpdir();
}

/**
 * Runs `/bin/sh -c command` as the leader of its own process group and reports how it ended.
 *
 * The group is the unit of a run: on timeout or cancel the whole group gets SIGTERM, then SIGKILL after
 * the grace period. When the shell exits by itself, anything it left running in the group is terminated
 * the same way (as systemd does for a oneshot service): otherwise a stray `cmd &` holding the output pipe
 * would keep the run open until its timeout. A task that really must leave a daemon behind has to detach
 * it with `setsid`. Resolves only after the shell has exited and its group is gone.
 */
export function runShell(command: string, attempt: AttemptContext): Promise<AttemptOutcome> {
  const { control, sink } = attempt;
  const settings = attempt;
  return new Promise((resolve) => {
    const child = (() => {
      try {
        // The command goes in the environment, not in argv: any user of the host can read a
        // process's argv (ps), only its owner its environment, and a command may hold a secret.
        return spawn(SHELL, ["-c", WRAPPER, "sh"], {
          cwd: settings.cwd,
          env: { ...taskEnvironment(attempt), CRONDECK_COMMAND: command },
          detached: true,
          stdio: ["ignore", "pipe", "pipe", "pipe"],
        });
      } catch (err) {
        resolve(failed(spawnError(err, settings.cwd)));
        return null;
      }
    })();
    if (!child) return;
    const pid = child.pid;
    // Typed from the stdio array: with four entries TypeScript no longer knows these three are pipes.
    const stdout = child.stdout as NonNullable<typeof child.stdout>;
    const stderr = child.stderr as NonNullable<typeof child.stderr>;
    if (pid === undefined) {
      // Spawn failed (missing shell or cwd); Node reports it asynchronously through 'error'.
      child.once("error", (err) => resolve(failed(spawnError(err, settings.cwd))));
      return;
    }
    // After a successful spawn 'error' only reports failed signalling, which we do not do through `child`.
    child.on("error", () => {});
    settings.onSpawn?.(pid);
    // Our end of the watchdog's pipe: held open, never written, closed when the run is over.
    const lifeline = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void; unref?(): void };
    lifeline.on("error", () => {});

    const terminator = new GroupTerminator(pid, settings.killGraceMs);
    const onAbort = () => terminator.terminate();
    control.signal.addEventListener("abort", onAbort, { once: true });
    if (control.signal.aborted) onAbort();

    let openStreams = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null; stoppedBy: StopReason | null } | null = null;
    let drainTimer: NodeJS.Timeout | null = null;
    let finishing = false;

    for (const stream of [stdout, stderr]) {
      const writer = sink.stream();
      openStreams++;
      stream.on("data", (chunk: Buffer) => writer.write(chunk));
      stream.once("close", () => {
        writer.end();
        openStreams--;
        void maybeFinish();
      });
    }

    child.once("exit", (code, signal) => {
      exit = { code, signal, stoppedBy: control.reason };
      terminator.terminate();
      // A process that left the group with setsid may still hold our pipes open; stop reading in time.
      drainTimer = setTimeout(() => {
        stdout.destroy();
        stderr.destroy();
      }, settings.killGraceMs + AFTER_KILL_WAIT_MS);
      void maybeFinish();
    });

    async function maybeFinish(): Promise<void> {
      if (!exit || openStreams > 0 || finishing) return;
      finishing = true;
      if (drainTimer) clearTimeout(drainTimer);
      await waitForGroupExit(pid as number, terminator);
      lifeline.destroy();
      control.signal.removeEventListener("abort", onAbort);
      resolve(shellOutcome(exit, control));
    }
  });
}

function shellOutcome(
  exit: { code: number | null; signal: NodeJS.Signals | null; stoppedBy: StopReason | null },
  control: AttemptControl,
): AttemptOutcome {
  const { code, signal, stoppedBy } = exit;
  if (stoppedBy) {
    return { status: stoppedBy, exitCode: code, httpStatus: null, ...errorFields(control.describe(stoppedBy)) };
  }
  if (code === 0) return succeeded({ exitCode: 0 });
  if (code !== null) return failed(runError("EXIT_CODE", `exited with code ${code}`, { code }), { exitCode: code });
  const name = signal ?? "unknown";
  return failed(runError("KILLED_BY_SIGNAL", `killed by signal ${name}`, { signal: name }));
}

/**
 * Waits until no process of the group runs. A member SIGKILL could not remove is a zombie or stuck in
 * the kernel; either way nothing more can be done, so after a short wait past SIGKILL we stop waiting.
 */
async function waitForGroupExit(pgid: number, terminator: GroupTerminator): Promise<void> {
  // The watchdog leaves on the SIGTERM that follows the shell's exit within a millisecond or two:
  // look again soon before settling into the slower poll.
  for (let waitMs = 1; groupAlive(pgid); waitMs = Math.min(waitMs * 2, GROUP_POLL_MS)) {
    const sinceKill = terminator.sinceKill();
    if (sinceKill !== null && sinceKill > AFTER_KILL_WAIT_MS) return;
    await sleep(waitMs);
  }
  terminator.cancel();
}

function spawnError(err: unknown, cwd: string) {
  const reason = describeError(err);
  return runError("SPAWN_FAILED", `could not start ${SHELL} in ${cwd}: ${reason}`, { cwd, reason });
}

import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Forks a TypeScript entry with this process's exec arguments (tsx's loader), so each scenario runs
 * in a fresh process: its own RSS and CPU figures, and nothing left over from the one before.
 */
export function forkEntry(entry: URL, args: string[] = [], extraExecArgv: string[] = []): ChildProcess {
  return fork(fileURLToPath(entry), args, {
    execArgv: [...process.execArgv, ...extraExecArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** The child's first IPC message; rejects if it exits first or `timeoutMs` passes (then kills it). */
export function firstMessage<T>(child: ChildProcess, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what}: no answer within ${Math.round(timeoutMs / 1000)} s (killed)`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (msg: unknown) => {
      done();
      resolve(msg as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`${what}: exited (${signal ?? code}) before answering`));
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Waits for the child to exit, killing it after `timeoutMs`. */
export function exited(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

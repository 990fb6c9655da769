import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { RunErrorException, runError } from "@crondeck/core";
import type { ExecutionHooks, ExecutionRequest, ExecutionResult } from "@crondeck/executor";
import { type FromWorker, fromResultEnvelope, type ToWorker, toEnvelope } from "./protocol.ts";

// child.ts from source (tests, `pnpm dev`), child.js in the compiled build (`pnpm start`).
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const CHILD = new URL(FROM_SOURCE ? "./child.ts" : "./child.js", import.meta.url);

interface InFlight {
  hooks: ExecutionHooks;
  resolve: (result: ExecutionResult) => void;
  reject: (err: Error) => void;
}

/**
 * The control plane's side of the local worker: one child process, forked on first use and again
 * after it dies, that runs attempts sent as RunEnvelopes over IPC. An attempt in flight when the
 * child dies rejects (the run job records it FAILED with the reason; retries apply).
 */
export class LocalWorker {
  #child: ChildProcess | null = null;
  #ready: Promise<ChildProcess> | null = null;
  readonly #inFlight = new Map<number, InFlight>();
  #closed = false;

  /** The worker's pid once it runs (for the executors list and tests). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async run(request: ExecutionRequest, hooks: ExecutionHooks = {}): Promise<ExecutionResult> {
    if (this.#closed) throw new Error("the local worker is closed");
    const child = await this.#start();
    return new Promise<ExecutionResult>((resolve, reject) => {
      this.#inFlight.set(request.runId, { hooks, resolve, reject });
      const cancel = () => this.#send(child, { type: "cancel", runId: request.runId });
      hooks.signal?.addEventListener("abort", cancel, { once: true });
      this.#send(child, { type: "run", run: toEnvelope(request) });
      if (hooks.signal?.aborted) cancel();
    });
  }

  /** Stops the child (after the engine's own stop has let its runs end). */
  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.disconnect();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #send(child: ChildProcess, message: ToWorker): void {
    if (child.connected) child.send(message);
  }

  #start(): Promise<ChildProcess> {
    this.#ready ??= new Promise<ChildProcess>((resolve, reject) => {
      const child = fork(CHILD, [], {
        execArgv: loaderArgs(),
        // Only what a node process needs to start: the tasks' environment is built per attempt
        // from an allow-list anyway (@crondeck/executor task-env), from this same environment.
        env: process.env,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        serialization: "json",
      });
      this.#child = child;
      child.on("message", (message: FromWorker) => {
        if (message.type === "ready") resolve(child);
        else this.#receive(message);
      });
      child.once("exit", (code, signal) => {
        this.#child = null;
        this.#ready = null;
        const how = signal ?? `exit code ${code}`;
        const reason = new RunErrorException(
          runError(
            "WORKER_STOPPED",
            `the local worker process stopped (${how}); the attempt's processes were stopped with it`,
            { reason: how },
          ),
        );
        reject(reason);
        for (const run of this.#inFlight.values()) run.reject(reason);
        this.#inFlight.clear();
      });
    });
    return this.#ready;
  }

  #receive(message: Exclude<FromWorker, { type: "ready" }>): void {
    const run = this.#inFlight.get(message.runId);
    if (!run) return;
    switch (message.type) {
      case "spawned":
        run.hooks.onSpawn?.(message.pgid);
        break;
      case "output":
        run.hooks.onOutput?.(message.text);
        break;
      case "gap":
        run.hooks.onGap?.(message.skippedBytes);
        break;
      case "result":
        this.#inFlight.delete(message.runId);
        run.resolve(fromResultEnvelope(message.result));
        break;
    }
  }
}

/**
 * The child is TypeScript run from source, as the server is: it gets the parent's module loaders
 * (`--import`, `--require`, `--loader`: tsx under `node --import tsx` or `tsx`), and tsx when the
 * parent has none (tests); never the parent's script, `-e` code or inspector flags. The compiled
 * build's child is JavaScript: it gets the parent's `--conditions` (which select the workspace
 * packages' built output) and no tsx.
 */
function loaderArgs(): string[] {
  const argv = process.execArgv;
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const withValue = ["--import", "--require", "-r", "--loader", "--experimental-loader", "--conditions", "-C"];
    if (withValue.includes(arg) && i + 1 < argv.length) {
      kept.push(arg, argv[++i] as string);
    } else if (
      /^--(import|require|loader|experimental-loader|conditions)=/.test(arg) ||
      arg === "--enable-source-maps"
    ) {
      kept.push(arg);
    }
  }
  return !FROM_SOURCE || kept.some((a) => a.includes("tsx")) ? kept : [...kept, "--import", "tsx"];
}

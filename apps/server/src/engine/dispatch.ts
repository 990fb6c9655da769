import type { RunError } from "@crondeck/core";
import type { Db, RunRow, TaskRow } from "@crondeck/db";
import {
  builtInModes,
  type ExecutionHooks,
  type ExecutionRequest,
  type ExecutionResult,
  execute,
  type ModeRegistry,
} from "@crondeck/executor";
import { LocalWorker } from "@crondeck/worker";
import type { RunStore } from "./run-store.ts";

/**
 * An attempt a remote dispatcher handed to its executors: its end comes back as a result that
 * any control-plane instance records (RemoteContext.recorded), not as the return value.
 */
export const HANDED_OFF = Symbol("handed off");

/** What a remote dispatcher needs of the engine to record results and continue fires. */
export interface RemoteContext {
  db: Db;
  store: RunStore;
  lease: { readonly bootId: string };
  /** An attempt's end was recorded here: tell listeners, then retry or notify per its task. */
  recorded(run: RunRow, task: TaskRow): void;
}

/** An executor process as its registry entry tells it. */
export interface RemoteExecutor {
  name: string;
  host: string;
  groups: string[];
  version: string;
  startedAt: string;
  lastSeenAt: Date;
  running: number;
  concurrency: number;
  alive: boolean;
}

/**
 * Where an attempt runs. The run job hands a dispatcher plain data and gets a result back (local),
 * or learns that executors elsewhere took it over (remote: NATS).
 */
export interface Dispatcher {
  /** Runs one attempt and reports its outcome, or hands it off; never throws for a task's own failure. */
  execute(
    task: TaskRow,
    request: ExecutionRequest,
    hooks: ExecutionHooks,
  ): Promise<ExecutionResult | typeof HANDED_OFF>;
  /** Who runs the attempt (recorded as the run's executor until an executor says it is its own). */
  executorFor(task: TaskRow): string;
  /** Attempts run in other processes, which record their own start (no start without the database). */
  readonly remote?: boolean;
  start?(ctx: RemoteContext): void;
  /** Whether this instance still accounts for a run it owns (handed off, not yet started). */
  accountsFor?(runId: number): boolean;
  /** How long a run's owner has been silent, when the owner is an executor this dispatcher knows of. */
  silence?(ownerId: string): number | "gone" | undefined;
  /** Whether its transport is up now (undefined: it has none). */
  readonly connected?: boolean;
  /** Executor processes it knows of (their own registry), newest heartbeat first. */
  executors?(): RemoteExecutor[];
  /** Whether a live executor serves the group (undefined: every group is served here). */
  serves?(group: string): boolean;
  /** Follows the live output of an attempt it handed off, from any instance; returns the unfollow. */
  followOutput?(
    runId: number,
    listener: (event: { type: "output"; text: string } | { type: "gap"; skippedBytes: number }) => void,
  ): () => void;
  /**
   * Hands a slot claimed ahead to its executors before its instant (they start it on time with no
   * round trip). False when it could not: the slot is then dispatched at its instant.
   */
  prepare?(task: TaskRow, request: ExecutionRequest): Promise<boolean>;
  /** Forgets a slot prepared ahead whose claim was given back. */
  forget?(runId: number): void;
  /** Cancels an attempt it handed off (or prepared ahead). */
  cancel?(run: RunRow, reason?: RunError): Promise<boolean>;
  /** Stops what the dispatcher started (after the engine's runs have ended). */
  close?(): Promise<void>;
}

/**
 * The zero-setup mode: SHELL attempts run in a local worker child process (a fork there copies a
 * small process, not the API's heap), HTTP attempts in this process (a request is no fork). Both
 * serve every executor group.
 */
export class LocalDispatcher implements Dispatcher {
  readonly #worker = new LocalWorker();

  constructor(
    private readonly name: string,
    private readonly modes: ModeRegistry = builtInModes,
  ) {}

  /** A mode that only does I/O runs here; anything that starts programs runs in the worker child. */
  execute(_task: TaskRow, request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionResult> {
    return this.modes.get(request.mode)?.isolation === "inline"
      ? execute(request, hooks, {}, this.modes)
      : this.#worker.run(request, hooks);
  }

  executorFor(): string {
    return this.name;
  }

  close(): Promise<void> {
    return this.#worker.close();
  }
}

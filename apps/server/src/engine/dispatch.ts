import type { TaskRow } from "@crondeck/db";
import { type ExecutionHooks, type ExecutionRequest, type ExecutionResult, execute } from "@crondeck/executor";
import { LocalWorker } from "@crondeck/worker";

/**
 * Where an attempt runs. The run job hands a dispatcher plain data and gets a result back; a NATS
 * dispatcher (executors in other processes) implements the same interface.
 */
export interface Dispatcher {
  /** Runs one attempt and reports its outcome; never throws for a task's own failure. */
  execute(task: TaskRow, request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionResult>;
  /** Who runs the attempt (recorded as the run's executor). */
  executorFor(task: TaskRow): string;
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

  constructor(private readonly name: string) {}

  execute(_task: TaskRow, request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionResult> {
    return request.mode === "SHELL" ? this.#worker.run(request, hooks) : execute(request, hooks);
  }

  executorFor(): string {
    return this.name;
  }

  close(): Promise<void> {
    return this.#worker.close();
  }
}

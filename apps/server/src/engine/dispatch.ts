import type { TaskRow } from "@crondeck/db";
import { type ExecutionHooks, type ExecutionRequest, type ExecutionResult, execute } from "@crondeck/executor";

/**
 * Where an attempt runs. In-process by default; a NATS dispatcher (executors in other processes)
 * implements the same interface, so the run job never knows the difference.
 */
export interface Dispatcher {
  /** Runs one attempt and reports its outcome; never throws for a task's own failure. */
  execute(task: TaskRow, request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionResult>;
  /** Who runs the attempt (recorded as the run's executor). */
  executorFor(task: TaskRow): string;
}

/** Runs attempts in this process, whatever the task's executor group: the zero-setup mode. */
export class InProcessDispatcher implements Dispatcher {
  constructor(private readonly name: string) {}

  execute(_task: TaskRow, request: ExecutionRequest, hooks: ExecutionHooks): Promise<ExecutionResult> {
    return execute(request, hooks);
  }

  executorFor(): string {
    return this.name;
  }
}

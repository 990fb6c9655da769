import { ModuleRegistry, type RunOverrides, type Settings, type SettingsModule, type Text } from "@crondeck/core";
import type { Dispatcher } from "undici";
import type { AttemptControl } from "./attempt-control.ts";
import type { AttemptOutcome } from "./outcome.ts";
import type { OutputSink } from "./output-sink.ts";

/** Which attempt is running: what a mode may pass on (environment, headers) to what it runs. */
export interface AttemptInfo {
  runId: number;
  taskId: number;
  scheduledAt: Date;
  attempt: number;
  /** Derived by the engine from the fire; the same for every attempt of it. */
  idempotencyKey: string;
  /** The task's environment, secrets resolved: a mode passes it on as it sees fit. */
  env: Record<string, string>;
}

/** What the executor hands a mode for one attempt. */
export interface AttemptContext extends AttemptInfo {
  /** Aborted on timeout or cancel; `control.reason` says which. */
  control: AttemptControl;
  /** Where the attempt's output goes (kept head and tail, and live to followers). */
  sink: OutputSink;
  /** Wait between SIGTERM and SIGKILL to a process group the mode started. */
  killGraceMs: number;
  /** Working directory for processes the mode starts. */
  cwd: string;
  /** undici dispatcher for requests the mode sends (tests and benchmarks pass their own). */
  dispatcher?: Dispatcher;
  /** Told the process group of what the attempt started, so a successor on the host can stop it. */
  onSpawn?: (pgid: number) => void;
}

/**
 * A task mode: the fields it owns on a task and how they are checked and shown (SettingsModule),
 * where its attempts may run, and how one runs. Adding a mode is one module and a line in
 * BUILT_IN_MODES (or `buildApp({ modes })`); nothing else branches on its name.
 */
export interface TaskModeModule<S extends Settings = Settings> extends SettingsModule<S> {
  /**
   * "process": attempts run only in a worker process or an executor, never in the control plane's
   * own process (anything that starts programs). "inline": I/O only, so the one-process mode may
   * run them in the app's own process.
   */
  readonly isolation: "process" | "inline";
  /** The form's hint under the executor group: what a group means for this mode. */
  readonly executorGroupHint?: Text;
  /**
   * The fields a manual run may override for itself (POST /api/tasks/:id/run), besides the
   * environment every mode takes. Without it, a run of the mode overrides nothing else.
   */
  readonly runOverrides?: RunOverrides<S>;
  /** What the task list's search matches besides the name and the remark. */
  searchText(settings: S): string;
  /** Runs one attempt and says how it ended: what success means (exit 0, 2xx) is decided here. */
  run(settings: S, attempt: AttemptContext): Promise<AttemptOutcome>;
}

/** Types a mode's settings inside its own module, then erases them for the registry. */
export function defineMode<S extends Settings>(module: TaskModeModule<S>): TaskModeModule {
  return module as unknown as TaskModeModule;
}

/** The task modes a process knows, by name. */
export type ModeRegistry = ModuleRegistry<TaskModeModule>;

export function modeRegistry(modules: readonly TaskModeModule[]): ModeRegistry {
  return new ModuleRegistry(modules, "task mode");
}

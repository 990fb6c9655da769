/**
 * @crondeck/executor — runs ONE attempt of a task through its mode (modes/: SHELL, HTTP) and
 * reports its outcome. No database access: the engine creates run records and calls `execute`.
 */

// The run error vocabulary its results speak, for processes that build results of their own
// (an executor's cancel before the start) without depending on @crondeck/core themselves.
export {
  canceledBy,
  isRunErrorCode,
  type RunError,
  type RunErrorCode,
  type RunErrorParams,
  runError,
} from "@crondeck/core";
export type { AttemptControl } from "./attempt-control.ts";
export { execute } from "./execute.ts";
export { type FullOutput, FullOutputCapture } from "./full-output.ts";
export { matchKeywords } from "./keywords.ts";
export {
  type AttemptContext,
  type AttemptInfo,
  defineMode,
  type ModeRegistry,
  modeRegistry,
  type TaskModeModule,
} from "./mode.ts";
export { BUILT_IN_MODES, builtInModes, httpMode, isCredentialHeader, shellMode } from "./modes/index.ts";
export { type AttemptOutcome, errorFields, failed, succeeded } from "./outcome.ts";
export { DEFAULT_OUTPUT_LIMIT_BYTES, OutputBuffer } from "./output-buffer.ts";
export type { OutputSink } from "./output-sink.ts";
export { stopOrphanGroup } from "./process-group.ts";
export { DEFAULT_KILL_GRACE_MS } from "./shell.ts";
export type {
  AttemptStatus,
  ExecutionHooks,
  ExecutionRequest,
  ExecutionResult,
  ExecutorOptions,
} from "./types.ts";

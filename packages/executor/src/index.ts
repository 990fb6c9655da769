/**
 * @crondeck/executor — runs ONE attempt of a task (a SHELL command or an HTTP request) and reports its
 * outcome. No database access: the engine creates run records and calls `execute`.
 */
export { execute } from "./execute.ts";
export { matchKeywords } from "./keywords.ts";
export { DEFAULT_OUTPUT_LIMIT_BYTES, OutputBuffer } from "./output-buffer.ts";
export { stopOrphanGroup } from "./process-group.ts";
export { DEFAULT_KILL_GRACE_MS } from "./shell.ts";
export type {
  AttemptStatus,
  ExecutionHooks,
  ExecutionRequest,
  ExecutionResult,
  ExecutorOptions,
} from "./types.ts";

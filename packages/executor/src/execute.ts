import { performance } from "node:perf_hooks";
import { type RunErrorParams, runError } from "@crondeck/core";
import { AttemptControl } from "./attempt-control.ts";
import { FullOutputCapture } from "./full-output.ts";
import { maskText, maskValues } from "./mask.ts";
import type { ModeRegistry } from "./mode.ts";
import { builtInModes } from "./modes/index.ts";
import { type AttemptOutcome, describeError, errorFields, failed } from "./outcome.ts";
import { DEFAULT_OUTPUT_LIMIT_BYTES, OutputBuffer } from "./output-buffer.ts";
import { OutputSink } from "./output-sink.ts";
import { DEFAULT_KILL_GRACE_MS, defaultShellCwd } from "./shell.ts";
import type { ExecutionHooks, ExecutionRequest, ExecutionResult, ExecutorOptions } from "./types.ts";

/** setTimeout's ceiling (~24.8 days); longer timeouts would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Runs one attempt of a task and reports its outcome. Never rejects: every failure, including bad
 * input, becomes a FAILED result, so the engine always has something to record.
 */
export async function execute(
  req: ExecutionRequest,
  hooks: ExecutionHooks = {},
  options: ExecutorOptions = {},
  modes: ModeRegistry = builtInModes,
): Promise<ExecutionResult> {
  const startedAt = new Date();
  const start = performance.now();
  const buffer = new OutputBuffer(validLimit(req.outputLimitBytes) ?? DEFAULT_OUTPUT_LIMIT_BYTES);
  const secrets = maskValues(req.mask);
  const fullMax = validLimit(req.fullOutputMaxBytes);
  const full = fullMax ? new FullOutputCapture(fullMax) : null;
  const outcome = await runAttempt(req, hooks, options, buffer, full, modes, secrets).catch((err: unknown) => {
    const reason = describeError(err);
    return failed(runError("EXECUTOR_ERROR", `executor error: ${reason}`, { reason }));
  });
  const finishedAt = new Date();
  // Only an output the head and tail do not hold whole needs its full copy.
  const fullOutput = full && buffer.truncated ? await full.finish().catch(() => null) : null;
  if (full && !fullOutput) full.discard();
  return {
    ...outcome,
    // An error may quote what the attempt was given (a URL, a header); the output is masked already.
    error: outcome.error === null ? null : maskText(outcome.error, secrets),
    errorCode: outcome.errorCode ?? null,
    errorParams: maskParams(outcome.errorParams ?? null, secrets),
    output: buffer.toString(),
    truncated: buffer.truncated,
    outputBytes: buffer.totalBytes,
    ...(fullOutput ? { fullOutput } : {}),
    startedAt,
    finishedAt,
    durationMs: Math.round(performance.now() - start),
  };
}

async function runAttempt(
  req: ExecutionRequest,
  hooks: ExecutionHooks,
  options: ExecutorOptions,
  buffer: OutputBuffer,
  full: FullOutputCapture | null,
  modes: ModeRegistry,
  secrets: Buffer[],
): Promise<AttemptOutcome> {
  const mode = modes.get(req.mode);
  if (!mode) {
    const known = modes.names.join(", ");
    const message = `unknown mode ${String(req.mode)}: this executor knows ${known}`;
    return failed(runError("UNKNOWN_MODE", message, { mode: String(req.mode), known }));
  }
  const invalid = validate(req);
  if (invalid) return failed(runError("INVALID_REQUEST", invalid, { reason: invalid }));
  if (hooks.signal?.aborted) {
    return { status: "CANCELED", exitCode: null, httpStatus: null, ...errorFields(runError("CANCELED", "canceled")) };
  }
  const control = new AttemptControl(Math.min(req.timeoutSeconds * 1000, MAX_TIMEOUT_MS), hooks.signal);
  const sink = new OutputSink(buffer, hooks.onOutput, secrets, full);
  try {
    return await mode.run(req.settings ?? {}, {
      runId: req.runId,
      taskId: req.taskId,
      scheduledAt: req.scheduledAt,
      attempt: req.attempt,
      idempotencyKey: req.idempotencyKey,
      env: req.env ?? {},
      control,
      sink,
      killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      cwd: options.shellCwd ?? defaultShellCwd(),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(hooks.onSpawn ? { onSpawn: hooks.onSpawn } : {}),
    });
  } finally {
    control.dispose();
  }
}

function validate(req: ExecutionRequest): string | null {
  if (!(req.timeoutSeconds > 0) || !Number.isFinite(req.timeoutSeconds)) {
    return `timeoutSeconds must be a positive number, got ${req.timeoutSeconds}`;
  }
  if (!(req.scheduledAt instanceof Date) || Number.isNaN(req.scheduledAt.getTime())) {
    return "scheduledAt is not a valid date";
  }
  if (req.fullOutputMaxBytes !== undefined && validLimit(req.fullOutputMaxBytes) === undefined) {
    return `fullOutputMaxBytes must be a non-negative integer, got ${req.fullOutputMaxBytes}`;
  }
  if (req.outputLimitBytes !== undefined && validLimit(req.outputLimitBytes) === undefined) {
    return `outputLimitBytes must be a non-negative integer, got ${req.outputLimitBytes}`;
  }
  return null;
}

/** The error's params with every secret value replaced by *** (they may quote a URL or a header). */
function maskParams(params: RunErrorParams | null, secrets: Buffer[]): RunErrorParams | null {
  if (params === null || secrets.length === 0) return params;
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, typeof value === "string" ? maskText(value, secrets) : value]),
  );
}

function validLimit(limit: number | undefined): number | undefined {
  return limit !== undefined && Number.isInteger(limit) && limit >= 0 ? limit : undefined;
}

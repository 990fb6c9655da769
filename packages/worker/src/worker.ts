import { type ExecutorOptions, execute } from "@crondeck/executor";
import { type FromWorker, fromEnvelope, type ToWorker, toResultEnvelope } from "./protocol.ts";

/** Live output held back while the channel is backed up; beyond it, output is skipped (and counted). */
const MAX_PENDING_OUTPUT_BYTES = 256 * 1024;

export interface WorkerChannel {
  /** Sends a message; false when the channel is backed up (more is queued than it can take now). */
  send(message: FromWorker): boolean;
  /** Called once the backed-up channel can take more. */
  onDrain(listener: () => void): void;
}

/**
 * Runs the attempts the control plane sends, one `execute()` each, and reports their process
 * group, live output and result. It keeps no state beyond the attempts in flight.
 */
export class Worker {
  readonly #runs = new Map<number, AbortController>();
  readonly #pending = new Map<number, { text: string[]; bytes: number; skipped: number }>();
  #backedUp = false;

  constructor(
    private readonly channel: WorkerChannel,
    private readonly options: ExecutorOptions = {},
  ) {
    channel.onDrain(() => {
      this.#backedUp = false;
      this.#flush();
    });
  }

  get running(): number {
    return this.#runs.size;
  }

  /** The attempts in flight. */
  runIds(): number[] {
    return [...this.#runs.keys()];
  }

  handle(message: ToWorker): void {
    if (message.type === "cancel") {
      this.#runs.get(message.runId)?.abort();
      return;
    }
    const request = fromEnvelope(message.run);
    if (this.#runs.has(request.runId)) return; // delivered twice: it is already running here
    const controller = new AbortController();
    this.#runs.set(request.runId, controller);
    void execute(
      request,
      {
        signal: controller.signal,
        onOutput: (text) => this.#output(request.runId, text),
        onSpawn: (pgid) => this.#send({ type: "spawned", runId: request.runId, pgid }),
      },
      this.options,
    ).then((result) => {
      this.#runs.delete(request.runId);
      this.#flushRun(request.runId);
      this.#send({ type: "result", runId: request.runId, result: toResultEnvelope(result) });
    });
  }

  /** Stops every attempt in flight (the control plane is gone: nobody could record them). */
  abortAll(): void {
    for (const controller of this.#runs.values()) controller.abort();
  }

  #send(message: FromWorker): void {
    if (!this.channel.send(message)) this.#backedUp = true;
  }

  #output(runId: number, text: string): void {
    if (!this.#backedUp && !this.#pending.has(runId)) {
      this.#send({ type: "output", runId, text });
      return;
    }
    const pending = this.#pending.get(runId) ?? { text: [], bytes: 0, skipped: 0 };
    this.#pending.set(runId, pending);
    const bytes = Buffer.byteLength(text);
    if (pending.bytes + bytes > MAX_PENDING_OUTPUT_BYTES) pending.skipped += bytes;
    else {
      pending.text.push(text);
      pending.bytes += bytes;
    }
  }

  #flush(): void {
    for (const runId of [...this.#pending.keys()]) {
      if (this.#backedUp) return;
      this.#flushRun(runId);
    }
  }

  #flushRun(runId: number): void {
    const pending = this.#pending.get(runId);
    if (!pending) return;
    this.#pending.delete(runId);
    if (pending.skipped > 0) this.#send({ type: "gap", runId, skippedBytes: pending.skipped });
    if (pending.text.length > 0) this.#send({ type: "output", runId, text: pending.text.join("") });
  }
}

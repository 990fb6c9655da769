import { CANCELED_BY_USER, type RunError, RunErrorException, runError } from "@crondeck/core";
import type { RunRow, TaskRow } from "@crondeck/db";
import type { ExecutionHooks, ExecutionRequest } from "@crondeck/executor";
import { type ExecutionResult, matchKeywords } from "@crondeck/executor";
import {
  CANCEL_SUBJECT,
  type CancelMessage,
  CONTROL_PLANE_QUEUE,
  connectNats,
  type DispatchedRun,
  dropFullOutput,
  EXECUTOR_BOOT_PREFIX,
  ExecutorRegistry,
  encode,
  ensureTopology,
  type OutputMessage,
  outputSubject,
  RECORDER_CONSUMER,
  RESULTS_STREAM,
  type RecordMessage,
  readFullOutput,
  runMsgId,
  runSubject,
  START_SUBJECT,
  type StartReply,
  type StartRequest,
} from "@crondeck/transport-nats";
import { fromResultEnvelope, toEnvelope } from "@crondeck/worker";
import {
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Dispatcher, HANDED_OFF, type RemoteContext, type RemoteExecutor } from "./dispatch.ts";

export interface NatsDispatcherOptions {
  url: string;
  dispatchTimeoutMs: number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

/** How long a fire waits for NATS before its attempt fails with "NATS unreachable". */
const PUBLISH_WAIT_MS = 5_000;
/** Tasks are read again for recording results after this long (their keywords may change). */
const TASK_CACHE_MS = 5_000;
/** An executor is listed alive while heard of within this long. */
export const EXECUTOR_ALIVE_MS = 10_000;

/**
 * The control plane's side of NATS: publishes each attempt to its group's queue and hands it off;
 * answers executors' "may I start?" (moving the run to the executor in the database, once);
 * records results from the shared durable consumer, whichever instance dispatched them, and
 * continues their fires; ends attempts no executor started within the dispatch timeout; knows
 * from the registry how long each executor has been silent (the reaper's LOST).
 */
export class NatsDispatcher implements Dispatcher {
  readonly remote = true;
  #ctx: RemoteContext | null = null;
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #jsm: JetStreamManager | null = null;
  #registry: ExecutorRegistry | null = null;
  #ready: Promise<void> | null = null;
  #connected = false;
  #closed = false;
  /** Attempts this instance published that no executor has started yet, as far as it knows. */
  readonly #waiting = new Map<number, { deadline: number; group: string; taskId: number }>();
  readonly #tasks = new Map<number, { row: TaskRow; at: number }>();
  /** Slots published ahead of their instant, not fired yet. */
  readonly #ahead = new Set<number>();
  #timer: NodeJS.Timeout | null = null;
  #results: ConsumerMessages | null = null;

  constructor(private readonly options: NatsDispatcherOptions) {}

  /** Connects in the background: the API serves while NATS is away; attempts wait for it a while. */
  start(ctx: RemoteContext): void {
    this.#ctx = ctx;
    this.#ready = this.#connect();
    this.#ready.catch((err) => this.options.log.error({ err }, "NATS setup failed"));
    this.#timer = setInterval(() => void this.#expire(), 1_000);
    this.#timer.unref();
  }

  /** NATS reachable now (for /readyz). */
  get connected(): boolean {
    return this.#connected && !this.#nc?.isClosed();
  }

  executorFor(task: TaskRow): string {
    return `group:${task.executorGroup}`;
  }

  accountsFor(runId: number): boolean {
    return this.#waiting.has(runId) || this.#ahead.has(runId);
  }

  /** Silence of an executor (by the registry), or undefined for an owner that is not one. */
  silence(ownerId: string): number | "gone" | undefined {
    if (!ownerId.startsWith(EXECUTOR_BOOT_PREFIX)) return undefined;
    return this.#registry?.silence(ownerId) ?? 0;
  }

  executors(): RemoteExecutor[] {
    return (this.#registry?.list() ?? []).map((e) => ({
      name: e.name,
      host: e.host,
      groups: e.groups,
      version: e.version,
      startedAt: e.startedAt,
      lastSeenAt: e.lastSeenAt,
      running: e.running,
      concurrency: e.concurrency,
      alive: e.silentMs < EXECUTOR_ALIVE_MS,
    }));
  }

  /** Whether a live executor serves the group (for the warning on saving a task). */
  serves(group: string): boolean {
    return this.#registry?.serves(group, EXECUTOR_ALIVE_MS) ?? false;
  }

  /**
   * Publishes a slot claimed ahead of its instant, so that an executor reserves it now and starts
   * it at its instant with nothing left to ask. False when NATS did not take it (the slot is then
   * published at its instant, the ordinary way).
   */
  async prepare(task: TaskRow, request: ExecutionRequest): Promise<boolean> {
    if (!this.connected) return false;
    try {
      await this.#publish(task, request, request.scheduledAt);
      this.#ahead.add(request.runId);
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets a slot published ahead that will not fire here (the claim was given back). */
  forget(runId: number): void {
    this.#ahead.delete(runId);
  }

  async execute(task: TaskRow, request: ExecutionRequest, _hooks: ExecutionHooks): Promise<typeof HANDED_OFF> {
    const deadline = Date.now() + this.options.dispatchTimeoutMs;
    const waiting = { deadline, group: task.executorGroup, taskId: task.id };
    // Published ahead: the executor that reserved it starts it on its own.
    if (this.#ahead.delete(request.runId)) {
      this.#waiting.set(request.runId, waiting);
      return HANDED_OFF;
    }
    try {
      if (!this.#js) await this.#untilSetUp();
      this.#waiting.set(request.runId, waiting);
      await this.#publish(task, request);
    } catch (err) {
      this.#waiting.delete(request.runId);
      const reason = (err as Error).message;
      throw new RunErrorException(
        runError("NATS_UNREACHABLE", `could not hand the attempt to NATS: ${reason}`, { reason }),
      );
    }
    return HANDED_OFF;
  }

  /** Before the first connection: waits for it a while (later outages are the publish's to time out). */
  async #untilSetUp(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.#ready ?? Promise.reject(new Error("not started")),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("NATS is unreachable")), PUBLISH_WAIT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #publish(task: TaskRow, request: ExecutionRequest, notBefore?: Date): Promise<void> {
    const dispatched: DispatchedRun = {
      run: toEnvelope(request),
      group: task.executorGroup,
      dispatcher: this.#context().lease.bootId,
      ...(notBefore ? { notBefore: notBefore.toISOString() } : {}),
    };
    // The server drops a second copy of the same attempt: a retried publish never runs it twice.
    await (this.#js as JetStreamClient).publish(runSubject(task.executorGroup), encode(dispatched), {
      msgID: runMsgId(request.runId),
      timeout: PUBLISH_WAIT_MS,
    });
  }

  followOutput(
    runId: number,
    listener: (event: { type: "output"; text: string } | { type: "gap"; skippedBytes: number }) => void,
  ): () => void {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return () => {};
    const sub = nc.subscribe(outputSubject(runId), {
      callback: (err, msg) => {
        if (err) return;
        const event = msg.json<OutputMessage>();
        if ("text" in event) listener({ type: "output", text: event.text });
        else listener({ type: "gap", skippedBytes: event.skippedBytes });
      },
    });
    return () => sub.unsubscribe();
  }

  /**
   * Cancels an attempt: one not started yet is ended here (any instance may), one running is
   * stopped by its executor, whose result then says CANCELED.
   */
  async cancel(run: RunRow, reason: RunError = CANCELED_BY_USER): Promise<boolean> {
    const ctx = this.#context();
    if (run.ownerId && !run.ownerId.startsWith(EXECUTOR_BOOT_PREFIX)) {
      const ended = await ctx.store.endUnstarted(run.id, run.ownerId, "CANCELED", reason);
      if (ended) {
        this.#waiting.delete(run.id);
        const task = await this.#task(run.taskId);
        if (task) ctx.recorded(ended, task);
        return true;
      }
    }
    if (!this.#nc || this.#nc.isClosed()) return false;
    this.#nc.publish(
      CANCEL_SUBJECT,
      encode({ runId: run.id, reason: reason.message, code: reason.code } satisfies CancelMessage),
    );
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#registry?.stop();
    // Results not acknowledged here stay in the stream for the other instances (or the next start).
    await this.#results?.close().catch(() => {});
    await this.#nc?.drain().catch(() => {});
  }

  /** A loop over a NATS iterator: its end or failure at shutdown is expected, never a crash. */
  #background(loop: () => Promise<void>): void {
    loop().catch((err) => {
      if (!this.#closed) this.options.log.error({ err }, "a NATS loop stopped");
    });
  }

  #manager(): JetStreamManager {
    if (!this.#jsm) throw new Error("NATS is not set up yet");
    return this.#jsm;
  }

  #context(): RemoteContext {
    if (!this.#ctx) throw new Error("the NATS dispatcher was not started");
    return this.#ctx;
  }

  async #connect(): Promise<void> {
    const ctx = this.#context();
    const nc = await connectNats(this.options.url, `crondeck-control ${ctx.lease.bootId}`);
    this.#nc = nc;
    this.#background(async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") {
          this.#connected = false;
          this.options.log.warn({}, "NATS connection lost; reconnecting");
        } else if (status.type === "reconnect") {
          this.#connected = true;
          this.options.log.info({}, "NATS connection back");
        }
      }
    });
    this.#jsm = await jetstreamManager(nc);
    await ensureTopology(nc, this.#jsm);
    this.#js = jetstream(nc);
    this.#registry = new ExecutorRegistry(nc);
    await this.#registry.start();
    nc.subscribe(START_SUBJECT, {
      queue: CONTROL_PLANE_QUEUE,
      callback: (err, msg) => {
        if (err) return;
        void this.#answerStart(msg.json<StartRequest>()).then(
          (reply) => settle(() => msg.respond(encode(reply))),
          (err) => this.options.log.warn({ err }, "could not answer an executor's start (it will ask again)"),
        );
      },
    });
    const consumer = await this.#js.consumers.get(RESULTS_STREAM, RECORDER_CONSUMER);
    const results = await consumer.consume({ max_messages: 256 });
    this.#results = results;
    this.#background(async () => {
      for await (const msg of results) void this.#record(msg);
    });
    this.#connected = true;
    this.options.log.info({}, "NATS connected: attempts run on executors");
  }

  async #answerStart(request: StartRequest): Promise<StartReply> {
    const ok = await this.#context().store.startRemote({
      id: request.runId,
      dispatcher: request.dispatcher,
      executorBootId: request.executorBootId,
      executor: request.executor,
      reserve: request.reserve === true,
    });
    if (ok) this.#waiting.delete(request.runId);
    return ok ? { ok } : { ok, reason: "the attempt ended, was canceled, or another executor started it" };
  }

  /** Records a result (once, whoever dispatched it), then acknowledges it; retried on a database error. */
  async #record(msg: JsMsg): Promise<void> {
    const ctx = this.#context();
    let message: RecordMessage;
    try {
      message = msg.json<RecordMessage>();
    } catch {
      settle(() => msg.term("not a Crondeck result"));
      return;
    }
    if (message.type === "started") {
      try {
        await ctx.store.markStarted(message.runId, message.executorBootId, new Date(message.startedAt));
        settle(() => msg.ack()); // not marked: it ended (or was LOST) first, which says more
      } catch (err) {
        this.options.log.warn({ err, runId: message.runId }, "could not record a start yet; it will come again");
        settle(() => msg.nak(2_000));
      }
      return;
    }
    try {
      const task = await this.#task(message.taskId);
      if (!task) {
        if (message.fullOutput) await dropFullOutput(this.#manager(), message.runId).catch(() => {});
        settle(() => msg.ack()); // the task was deleted, its runs with it
        return;
      }
      const result: ExecutionResult = fromResultEnvelope(message.result);
      // Its whole output was stored apart (parts on the FULL_OUTPUT stream); gone parts keep none.
      const full = message.fullOutput && (await readFullOutput(this.#manager(), message.runId, message.fullOutput));
      if (full) result.fullOutput = full;
      const keywords = JSON.parse(task.notifyKeywords) as string[];
      const finished = await ctx.store.finish(
        message.runId,
        message.executorBootId,
        result,
        matchKeywords(result.output, keywords),
      );
      if (message.fullOutput) await dropFullOutput(this.#manager(), message.runId).catch(() => {}); // expire in a day
      if (finished) ctx.recorded(finished, task);
      else
        this.options.log.info(
          { runId: message.runId, executor: message.executor, status: result.status },
          "a result for an attempt already ended (recorded before, or LOST): dropped",
        );
      settle(() => msg.ack());
    } catch (err) {
      this.options.log.warn({ err, runId: message.runId }, "could not record a result yet; it will come again");
      settle(() => msg.nak(2_000));
    }
  }

  /** Ends attempts no executor started in time, with an error naming their group. */
  async #expire(): Promise<void> {
    if (this.#closed) return;
    const ctx = this.#context();
    const now = Date.now();
    for (const [runId, waiting] of this.#waiting) {
      if (waiting.deadline > now) continue;
      this.#waiting.delete(runId);
      const seconds = Math.round(this.options.dispatchTimeoutMs / 1000);
      const error = runError(
        "NO_LIVE_EXECUTOR",
        `no executor of group "${waiting.group}" started this attempt within ${seconds} s (DISPATCH_TIMEOUT_SECONDS): is an executor with EXECUTOR_GROUPS=${waiting.group} running?`,
        { group: waiting.group, seconds },
      );
      try {
        const ended = await ctx.store.endUnstarted(runId, ctx.lease.bootId, "FAILED", error);
        const task = ended ? await this.#task(waiting.taskId) : null;
        if (ended && task) ctx.recorded(ended, task);
      } catch (err) {
        this.#waiting.set(runId, waiting); // the database is away: again next round
        this.options.log.warn({ err, runId }, "could not end an attempt nobody started yet");
        return;
      }
    }
  }

  async #task(id: number): Promise<TaskRow | null> {
    const cached = this.#tasks.get(id);
    if (cached && performance.now() - cached.at < TASK_CACHE_MS) return cached.row;
    const row = await this.#context().db.task.findUnique({ where: { id } });
    if (row) this.#tasks.set(id, { row, at: performance.now() });
    else this.#tasks.delete(id);
    return row;
  }
}

/**
 * Acknowledges (or answers) a message; on a connection closing meanwhile the server redelivers
 * it (or the asker asks again), so a failure here is not an error.
 */
function settle(reply: () => void): void {
  try {
    reply();
  } catch {
    // closing: the message comes again elsewhere
  }
}

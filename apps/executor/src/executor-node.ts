import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { canceledBy, type ExecutorOptions, isRunErrorCode, type RunError, runError } from "@crondeck/executor";
import {
  CANCEL_SUBJECT,
  type CancelMessage,
  connectNats,
  type DispatchedRun,
  EXECUTOR_BOOT_PREFIX,
  EXECUTORS_BUCKET,
  type ExecutorEntry,
  encode,
  ensureGroupConsumer,
  ensureTopology,
  HEARTBEAT_MS,
  type OutputMessage,
  outputSubject,
  publishFullOutput,
  RESULTS_STREAM,
  RESULTS_SUBJECT,
  type RecordMessage,
  RUNS_STREAM,
  resultMsgId,
  START_SUBJECT,
  type StartReply,
  type StartRequest,
  startedMsgId,
  token,
} from "@crondeck/transport-nats";
import { type FromWorker, Worker } from "@crondeck/worker";
import { type JetStreamClient, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

export interface ExecutorNodeConfig {
  natsUrl: string;
  /** Default: the host name. It is also a group of its own (pin SHELL tasks to it). */
  name?: string;
  /** Groups served besides its own name. */
  groups: string[];
  /** Attempts run at once. */
  concurrency: number;
  /** On stop: how long attempts under way may take to end before they are canceled. */
  drainMs: number;
  version: string;
  executorOptions?: ExecutorOptions;
  log?: Log;
}

export interface Log {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How long an executor waits for a control plane to answer "may I start?" before handing back. */
const START_TIMEOUT_MS = 5_000;
/** Attempts one pull asks for at most. */
const FETCH_MAX = 256;
const SHUTDOWN = runError("CANCELED_EXECUTOR_SHUTDOWN", "canceled: the executor was shutting down");

/**
 * One executor process: takes attempts from its groups' shared consumers (its own name included),
 * asks a control plane before starting each, runs them with the worker, streams their output live
 * and publishes each result durably. It never touches the database.
 */
export class ExecutorNode {
  readonly bootId = `${EXECUTOR_BOOT_PREFIX}${randomUUID()}`;
  readonly name: string;
  readonly groups: string[];
  readonly #startedAt = new Date();
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #kv: KV | null = null;
  #worker: Worker;
  /** Attempts taken from a queue and not yet running or handed back (asking to start, or waiting for a slot). */
  #held = 0;
  /** Results not yet stored by the server. */
  readonly #unsent = new Set<Promise<void>>();
  /** Attempts reserved to start at their instant (published ahead), with their start timers. */
  readonly #ahead = new Map<number, NodeJS.Timeout>();
  /** The task of each attempt in flight (results carry it: recording them needs no lookup). */
  readonly #taskOf = new Map<number, number>();
  /** Why attempts were canceled here, for their results' error. */
  readonly #cancelReasons = new Map<number, RunError>();
  /** Group loops waiting for a free slot. */
  #waiting: Array<() => void> = [];
  #stopping = false;
  readonly #loops: Promise<void>[] = [];
  #heartbeat: NodeJS.Timeout | null = null;
  readonly #log: Log;

  constructor(private readonly config: ExecutorNodeConfig) {
    this.name = config.name || hostname();
    this.groups = [...new Set([this.name, ...config.groups.filter(Boolean)])];
    this.#log = config.log ?? silentLog;
    this.#worker = new Worker({ send: (m) => this.#fromWorker(m), onDrain() {} }, config.executorOptions);
  }

  get running(): number {
    return this.#worker.running;
  }

  async start(): Promise<void> {
    const nc = await connectNats(this.config.natsUrl, `crondeck-executor ${this.name}`);
    this.#nc = nc;
    const jsm = await jetstreamManager(nc);
    await ensureTopology(nc, jsm);
    this.#js = jetstream(nc);
    this.#kv = await new Kvm(nc).open(EXECUTORS_BUCKET);
    await this.#beat();
    this.#heartbeat = setInterval(() => void this.#beat(), HEARTBEAT_MS);
    const cancels = nc.subscribe(CANCEL_SUBJECT);
    this.#background(async () => {
      for await (const m of cancels) {
        const { runId, reason: message, code } = m.json<CancelMessage>();
        // An older control plane sends no code: a user's cancel is what it sends then.
        const reason = runError(isRunErrorCode(code) ? code : "CANCELED_BY_USER", message);
        if (this.#cancelAhead(runId, reason)) continue;
        if (!this.#worker.runIds().includes(runId)) continue; // running elsewhere, or not yet
        this.#cancelReasons.set(runId, reason);
        this.#worker.handle({ type: "cancel", runId });
      }
    });
    for (const group of this.groups) {
      const consumer = await this.#js.consumers.get(RUNS_STREAM, await ensureGroupConsumer(jsm, group));
      this.#loops.push(this.#take(group, consumer));
    }
    this.#log.info({ name: this.name, groups: this.groups, concurrency: this.config.concurrency }, "executor ready");
  }

  /**
   * Drains: takes nothing more, hands back what it fetched, lets attempts under way end (for up to
   * drainMs, then cancels them), publishes every result, says goodbye to the registry and closes.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#wake();
    await Promise.all(this.#loops);
    const deadline = Date.now() + this.config.drainMs;
    // Attempts reserved for their instant (under a second away) start, and are drained too.
    while (this.#busy() > 0 && Date.now() < deadline) await sleep(100);
    if (this.#busy() > 0) {
      this.#log.warn({ running: this.#busy() }, "attempts outlived the drain: canceling them");
      this.#cancelAll();
      while (this.#worker.running > 0) await sleep(50);
    }
    while (this.#unsent.size > 0) await Promise.all([...this.#unsent]);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await this.#kv?.delete(token(this.name)).catch(() => {});
    await this.#nc?.drain().catch(() => {});
  }

  #cancelAll(): void {
    // The worker aborts every attempt; their results then say why.
    for (const runId of [...this.#ahead.keys()]) this.#cancelAhead(runId, SHUTDOWN);
    for (const runId of this.#worker.runIds()) this.#cancelReasons.set(runId, SHUTDOWN);
    this.#worker.abortAll();
  }

  async #take(group: string, consumer: Awaited<ReturnType<JetStreamClient["consumers"]["get"]>>): Promise<void> {
    while (!this.#stopping) {
      // A pull stays open until it is filled or expires, and attempts published meanwhile are
      // delivered to it at once: each group keeps one open, sized to the slots free now.
      const free = this.config.concurrency - this.#busy() - this.#held;
      if (free <= 0) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: Math.min(free, FETCH_MAX), expires: 1_000 });
        for await (const msg of batch) {
          this.#held++;
          void this.#offer(group, msg).finally(() => {
            this.#held--;
            this.#wake();
          });
        }
      } catch (err) {
        if (!this.#stopping) {
          this.#log.warn({ err, group }, "could not take attempts (NATS away?); trying again");
          await sleep(1_000);
        }
      }
    }
  }

  /** A loop over a NATS iterator: its end at shutdown is expected; a failure before is logged. */
  #background(loop: () => Promise<void>): void {
    loop().catch((err) => {
      if (!this.#stopping) this.#log.error({ err }, "a NATS loop stopped");
    });
  }

  /** Asks a control plane to start the attempt; runs it on yes, hands it back when nobody answers. */
  async #offer(group: string, msg: JsMsg): Promise<void> {
    try {
      await this.#tryOffer(group, msg);
    } catch (err) {
      // The connection closed under it: the attempt comes again after its ack wait, elsewhere.
      this.#log.warn({ err, group }, "could not offer an attempt");
    }
  }

  async #tryOffer(group: string, msg: JsMsg): Promise<void> {
    // Two groups' pulls may deliver more than the slots free: the extra waits here, unstarted.
    while (this.#busy() >= this.config.concurrency && !this.#stopping) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#stopping) {
      msg.nak();
      return;
    }
    let dispatched: DispatchedRun;
    try {
      dispatched = msg.json<DispatchedRun>();
    } catch {
      msg.term("not a Crondeck attempt");
      return;
    }
    const startAt = dispatched.notBefore ? Date.parse(dispatched.notBefore) : 0;
    const request: StartRequest = {
      runId: dispatched.run.runId,
      dispatcher: dispatched.dispatcher,
      executor: this.name,
      executorBootId: this.bootId,
      reserve: startAt > Date.now(),
    };
    let reply: StartReply;
    try {
      const answer = await (this.#nc as NatsConnection).request(START_SUBJECT, encode(request), {
        timeout: START_TIMEOUT_MS,
      });
      reply = answer.json<StartReply>();
    } catch (err) {
      this.#log.warn({ err, runId: request.runId, group }, "no control plane answered; handing the attempt back");
      msg.nak(1_000);
      return;
    }
    if (!reply.ok) {
      // Started elsewhere, ended, or canceled meanwhile: never run it a second time.
      msg.term(reply.reason);
      this.#log.info({ runId: request.runId, reason: reply.reason }, "not starting an attempt");
      return;
    }
    msg.ack();
    this.#taskOf.set(request.runId, dispatched.run.taskId);
    if (!request.reserve) {
      this.#start(dispatched.run, group);
      return;
    }
    // Reserved: it is ours now, and starts at its instant with nothing left to ask.
    const timer = setTimeout(
      () => {
        this.#ahead.delete(request.runId);
        this.#start(dispatched.run, group);
        this.#publish({
          type: "started",
          runId: request.runId,
          executorBootId: this.bootId,
          startedAt: new Date().toISOString(),
        });
      },
      Math.max(0, startAt - Date.now()),
    );
    this.#ahead.set(request.runId, timer);
  }

  #start(run: DispatchedRun["run"], group: string): void {
    this.#worker.handle({ type: "run", run });
    this.#log.debug({ runId: run.runId, group, mode: run.mode }, "attempt started");
  }

  /** Attempts running, or reserved to start at their instant. */
  #busy(): number {
    return this.#worker.running + this.#ahead.size;
  }

  /** A reserved attempt canceled before its instant ends without running. */
  #cancelAhead(runId: number, reason: RunError): boolean {
    const timer = this.#ahead.get(runId);
    if (!timer) return false;
    clearTimeout(timer);
    this.#ahead.delete(runId);
    const now = new Date().toISOString();
    this.#publish({
      type: "result",
      runId,
      taskId: this.#taskOf.get(runId) ?? 0,
      executor: this.name,
      executorBootId: this.bootId,
      result: {
        status: "CANCELED",
        exitCode: null,
        httpStatus: null,
        output: "",
        truncated: false,
        outputBytes: 0,
        error: reason.message,
        errorCode: reason.code,
        errorParams: reason.params,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
      },
    });
    this.#taskOf.delete(runId);
    this.#wake();
    return true;
  }

  #fromWorker(message: FromWorker): boolean {
    const nc = this.#nc;
    if (!nc) return true;
    if (message.type === "output")
      nc.publish(outputSubject(message.runId), encode({ text: message.text } satisfies OutputMessage));
    else if (message.type === "gap")
      nc.publish(outputSubject(message.runId), encode({ skippedBytes: message.skippedBytes } satisfies OutputMessage));
    else if (message.type === "result") {
      const reason = this.#cancelReasons.get(message.runId);
      this.#cancelReasons.delete(message.runId);
      // The whole output does not travel in the result (a NATS message holds 1 MiB by default):
      // its parts are stored first, and the result names them.
      const { fullOutput, ...ended } = message.result;
      const canceled = reason && ended.status === "CANCELED" ? canceledBy(reason, ended.error) : null;
      const result = canceled
        ? { ...ended, error: canceled.message, errorCode: canceled.code, errorParams: canceled.params }
        : ended;
      this.#publish(
        {
          type: "result",
          runId: message.runId,
          taskId: this.#taskOf.get(message.runId) ?? 0,
          executor: this.name,
          executorBootId: this.bootId,
          result,
        },
        fullOutput ? { ...fullOutput, gzip: Buffer.from(fullOutput.gzip, "base64") } : undefined,
      );
      this.#taskOf.delete(message.runId);
      this.#wake();
    }
    return true;
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** Publishes a result or start durably; stop() waits for every one. */
  #publish(message: RecordMessage, fullOutput?: { gzip: Buffer; bytes: number; capped: boolean }): void {
    const sent = this.#publishRecord(message, fullOutput);
    this.#unsent.add(sent);
    void sent.finally(() => {
      this.#unsent.delete(sent);
    });
  }

  /** Publishes until the server has it: a result is never dropped because NATS was restarting. */
  async #publishRecord(
    message: RecordMessage,
    fullOutput?: { gzip: Buffer; bytes: number; capped: boolean },
  ): Promise<void> {
    for (let tries = 0; ; tries++) {
      try {
        if (fullOutput && message.type !== "started" && !message.fullOutput) {
          message.fullOutput = await publishFullOutput(this.#js as JetStreamClient, message.runId, fullOutput);
        }
        await (this.#js as JetStreamClient).publish(RESULTS_SUBJECT, encode(message), {
          msgID: message.type === "started" ? startedMsgId(message.runId) : resultMsgId(message.runId),
          timeout: 5_000,
        });
        if (message.type !== "started")
          this.#log.debug({ runId: message.runId, status: message.result.status }, "attempt ended");
        return;
      } catch (err) {
        if (tries === 0 || tries % 30 === 0)
          this.#log.warn(
            { err, runId: message.runId, stream: RESULTS_STREAM },
            "could not publish a result yet; keeping it",
          );
        await sleep(Math.min(200 * 2 ** tries, 2_000));
      }
    }
  }

  async #beat(): Promise<void> {
    const entry: ExecutorEntry = {
      name: this.name,
      bootId: this.bootId,
      host: hostname(),
      groups: this.groups,
      version: this.config.version,
      concurrency: this.config.concurrency,
      running: this.#worker.running,
      startedAt: this.#startedAt.toISOString(),
      pid: process.pid,
    };
    try {
      await this.#kv?.put(token(this.name), encode(entry));
    } catch (err) {
      this.#log.warn({ err }, "could not renew the registry entry");
    }
  }
}

const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

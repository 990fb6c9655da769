import { AckPolicy, DeliverPolicy, type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  DUPLICATE_WINDOW_MS,
  EXECUTORS_BUCKET,
  FULL_OUTPUT_STREAM,
  groupConsumer,
  RECORDER_CONSUMER,
  RESULTS_STREAM,
  RESULTS_SUBJECT,
  RUNS_STREAM,
  runSubject,
} from "./names.ts";

const NS = 1_000_000;
/** The registry forgets an executor this long after its last heartbeat. */
export const REGISTRY_TTL_MS = 15_000;
/** Attempts nobody took are dropped from the stream after a day (their runs ended long before). */
const RUNS_MAX_AGE_MS = 86_400_000;
/** An executor that took an attempt and went silent before answering gives it back after this. */
const RUN_ACK_WAIT_MS = 30_000;

/**
 * Connects and keeps reconnecting for ever: a NATS restart is a pause, not an end. `name` shows
 * in the server's connection list.
 */
export function connectNats(url: string, name: string): Promise<NatsConnection> {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || undefined;
  const pass = decodeURIComponent(parsed.password) || undefined;
  parsed.username = "";
  parsed.password = "";
  return connect({
    servers: parsed.host,
    name,
    user,
    pass,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 5_000,
  });
}

/** Creates (or brings up to date) the streams, the recorder consumer and the registry bucket. */
export async function ensureTopology(nc: NatsConnection, jsm: JetStreamManager): Promise<void> {
  const streams = [
    {
      name: RUNS_STREAM,
      subjects: ["crondeck.runs.>"],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: RUNS_MAX_AGE_MS * NS,
      duplicate_window: DUPLICATE_WINDOW_MS * NS,
    },
    {
      name: RESULTS_STREAM,
      subjects: [RESULTS_SUBJECT],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: DUPLICATE_WINDOW_MS * NS,
    },
    {
      // Parts of runs' whole outputs until their result is recorded (then purged); a day at most.
      name: FULL_OUTPUT_STREAM,
      subjects: ["crondeck.fulloutput.>"],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: RUNS_MAX_AGE_MS * NS,
      duplicate_window: DUPLICATE_WINDOW_MS * NS,
    },
  ];
  for (const config of streams) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch {
      await jsm.streams.add(config);
    }
  }
  await jsm.consumers.add(RESULTS_STREAM, {
    durable_name: RECORDER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 30_000 * NS,
    deliver_policy: DeliverPolicy.All,
    max_deliver: -1,
  });
  await new Kvm(nc).create(EXECUTORS_BUCKET, { ttl: REGISTRY_TTL_MS, history: 1 });
}

/** The shared consumer of one group (created by the first executor of the group). */
export async function ensureGroupConsumer(jsm: JetStreamManager, group: string): Promise<string> {
  const name = groupConsumer(group);
  await jsm.consumers.add(RUNS_STREAM, {
    durable_name: name,
    filter_subject: runSubject(group),
    ack_policy: AckPolicy.Explicit,
    ack_wait: RUN_ACK_WAIT_MS * NS,
    deliver_policy: DeliverPolicy.All,
    max_deliver: -1,
  });
  return name;
}

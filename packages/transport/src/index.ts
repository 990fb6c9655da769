/**
 * @crondeck/transport-nats — the NATS JetStream transport between the control plane and executor
 * processes: names (names.ts), wire messages (messages.ts), connection and topology
 * (connection.ts), and the executor registry (registry.ts). The executor side lives in
 * apps/executor, the control-plane side in the server's engine (nats-dispatch.ts).
 *
 * Another broker (Kafka, say) would be another package with the same parts: a work queue per
 * group with one consumer group each, a durable results topic read by one group of control
 * planes, a request/reply or compacted topic for the start handshake, and a registry with expiry.
 */
export * from "./connection.ts";
export * from "./full-output.ts";
export * from "./messages.ts";
export * from "./names.ts";
export * from "./registry.ts";

import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { FullOutputRef } from "./messages.ts";
import { FULL_OUTPUT_STREAM, fullOutputFilter, fullOutputSubject } from "./names.ts";

/**
 * A run's whole output (its gzip file) travels beside its result, not in it: a NATS message holds
 * 1 MiB by default. The executor stores the file in parts of FULL_OUTPUT_PART_BYTES on the
 * FULL_OUTPUT stream before it publishes the result naming them; whichever control-plane instance
 * records the result reads the parts back (by subject, any instance can) and purges them.
 */
export const FULL_OUTPUT_PART_BYTES = 512 * 1024;

/** Stores the file's parts durably (a retried part is dropped by its id); returns what the result names. */
export async function publishFullOutput(
  js: JetStreamClient,
  runId: number,
  output: { gzip: Buffer; bytes: number; capped: boolean },
): Promise<FullOutputRef> {
  let parts = 0;
  for (let offset = 0; offset < output.gzip.length; offset += FULL_OUTPUT_PART_BYTES, parts++) {
    await js.publish(fullOutputSubject(runId, parts), output.gzip.subarray(offset, offset + FULL_OUTPUT_PART_BYTES), {
      msgID: `full-output-${runId}-${parts}`,
      timeout: 5_000,
    });
  }
  return { parts, compressedBytes: output.gzip.length, bytes: output.bytes, capped: output.capped };
}

/** The file a result names, or null when a part is gone (expired, or purged by an earlier recording). */
export async function readFullOutput(
  jsm: JetStreamManager,
  runId: number,
  ref: FullOutputRef,
): Promise<{ gzip: Buffer; bytes: number; capped: boolean } | null> {
  const parts: Uint8Array[] = [];
  for (let part = 0; part < ref.parts; part++) {
    const stored = await jsm.streams
      .getMessage(FULL_OUTPUT_STREAM, { last_by_subj: fullOutputSubject(runId, part) })
      .catch(() => null);
    if (!stored) return null;
    parts.push(stored.data);
  }
  const gzip = Buffer.concat(parts);
  return gzip.length === ref.compressedBytes ? { gzip, bytes: ref.bytes, capped: ref.capped } : null;
}

/** Removes a run's parts once its result is recorded. */
export async function dropFullOutput(jsm: JetStreamManager, runId: number): Promise<void> {
  await jsm.streams.purge(FULL_OUTPUT_STREAM, { filter: fullOutputFilter(runId) });
}

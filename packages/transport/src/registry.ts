import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ExecutorEntry } from "./messages.ts";
import { EXECUTORS_BUCKET, token } from "./names.ts";

/** An executor puts its entry this often; the control plane judges silence on its own clock. */
export const HEARTBEAT_MS = 2_000;
/**
 * An executor replaced by its next incarnation, or gone with a goodbye, counts as dead this long
 * after we learn it: long enough for the results it published last to be recorded first.
 */
const GONE_GRACE_MS = 3_000;

interface Seen {
  entry: ExecutorEntry;
  /** Our monotonic time when we last saw a heartbeat of it. */
  at: number;
  /** Wall-clock time of that heartbeat, for display. */
  lastSeenAt: Date;
}

/**
 * The control plane's view of the executors, from the registry bucket: who is alive, in which
 * groups, and how long each bootId has been silent. Silence is measured on this process's own
 * monotonic clock across its own reads, and restarts after our own connection was down, so an
 * executor is never judged by an outage of ours.
 */
export class ExecutorRegistry {
  readonly #byBoot = new Map<string, Seen>();
  /** bootIds asked about before any heartbeat of theirs was seen here: silent since then. */
  readonly #unknownSince = new Map<string, number>();
  /** Incarnations replaced by a newer one of the same name, or that said goodbye: since when. */
  readonly #goneBoots = new Map<string, { goneAt: number; lastAt: number }>();
  #stopped = false;

  constructor(private readonly nc: NatsConnection) {}

  async start(): Promise<void> {
    const kv = await new Kvm(this.nc).open(EXECUTORS_BUCKET);
    const watch = await kv.watch();
    this.#background(async () => {
      for await (const change of watch) {
        if (this.#stopped) break;
        if (change.operation !== "PUT") {
          for (const [bootId, seen] of this.#byBoot) if (token(seen.entry.name) === change.key) this.#gone(bootId);
          continue;
        }
        try {
          const entry = change.json<ExecutorEntry>();
          // A new incarnation under the same name: the previous one is gone, at once.
          for (const [bootId, seen] of this.#byBoot) {
            if (seen.entry.name === entry.name && bootId !== entry.bootId) this.#gone(bootId);
          }
          this.#byBoot.set(entry.bootId, { entry, at: performance.now(), lastSeenAt: change.created });
        } catch {
          // not ours: ignore
        }
      }
    });
    this.#background(async () => {
      for await (const status of this.nc.status()) {
        if (status.type === "reconnect") this.#restartCounts();
      }
    });
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Its loops end (or fail) when the connection closes: that is the end, not an error. */
  #background(loop: () => Promise<void>): void {
    loop().catch(() => {});
  }

  /**
   * Milliseconds since we last heard of the executor, or "gone" a moment after a new incarnation
   * of it (or its own goodbye) replaced it. An executor never seen here is silent since we first
   * asked.
   */
  silence(bootId: string): number | "gone" {
    const seen = this.#byBoot.get(bootId);
    const now = performance.now();
    if (seen) return now - seen.at;
    const gone = this.#goneBoots.get(bootId);
    // Results it published before it went may still be on their way to being recorded.
    if (gone) return now - gone.goneAt >= GONE_GRACE_MS ? "gone" : now - gone.lastAt;
    const since = this.#unknownSince.get(bootId) ?? now;
    this.#unknownSince.set(bootId, since);
    return now - since;
  }

  /** Executors heard of within `withinMs`, newest first. */
  list(withinMs = Number.POSITIVE_INFINITY): Array<ExecutorEntry & { lastSeenAt: Date; silentMs: number }> {
    const now = performance.now();
    return [...this.#byBoot.values()]
      .filter((seen) => now - seen.at <= withinMs)
      .sort((a, b) => b.at - a.at)
      .map((seen) => ({ ...seen.entry, lastSeenAt: seen.lastSeenAt, silentMs: now - seen.at }));
  }

  /** Whether an executor heard of within `withinMs` serves the group. */
  serves(group: string, withinMs: number): boolean {
    return this.list(withinMs).some((e) => e.groups.includes(group));
  }

  #gone(bootId: string): void {
    const seen = this.#byBoot.get(bootId);
    this.#byBoot.delete(bootId);
    const now = performance.now();
    this.#goneBoots.set(bootId, { goneAt: now, lastAt: seen?.at ?? now });
  }

  #restartCounts(): void {
    const now = performance.now();
    for (const seen of this.#byBoot.values()) seen.at = now;
    for (const bootId of this.#unknownSince.keys()) this.#unknownSince.set(bootId, now);
  }
}

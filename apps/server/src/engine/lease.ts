import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "@crondeck/db";

/** How often a process renews its lease (its Executor row's lastSeenAt). */
export const LEASE_RENEW_MS = 500;
/**
 * A process may start a slot it claimed ahead without asking the database again only while its
 * own lease was renewed this recently: peers wait far longer than this before taking its claims.
 */
const FRESH_MS = 600;
/** A gap this long between two of our own reads of the peers restarts every peer's silence count. */
const OBSERVATION_GAP_MS = 2_000;

export interface Predecessor {
  bootId: string;
  name: string;
  /** The predecessor ran on this host, so its leftover process groups can be stopped from here. */
  sameHost: boolean;
}

interface Peer {
  lastSeenAt: number;
  /** Our monotonic time when we first saw its current lastSeenAt. */
  changedSeenAt: number;
}

/**
 * This process's incarnation (a bootId new at every start) and its lease: the Executor row of its
 * name, renewed every LEASE_RENEW_MS. The runs it owns carry its bootId.
 *
 * Peers judge each other by silence measured on their own monotonic clock, never by comparing
 * timestamps written on other hosts: a peer is silent while its lastSeenAt has not changed across
 * our own reads. A gap in our own reads (our database outage) restarts every count, so a peer is
 * never judged by an outage it shared.
 */
export class InstanceLease {
  readonly bootId = randomUUID();
  readonly host = hostname().slice(0, 128);
  readonly #startedAt = new Date();
  #lastRenewOk = Number.NEGATIVE_INFINITY;
  #renewFailures = 0;
  readonly #peers = new Map<string, Peer>();
  #lastObserved = Number.NEGATIVE_INFINITY;
  #nameTaken = false;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    /** in-process | api-only | control-plane (attempts run on executors over NATS). */
    private readonly mode: string,
    private readonly version: string,
    private readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void },
  ) {}

  /**
   * Takes this process's name with a new bootId. Returns the incarnations known dead from here:
   * the previous holder of this name (a restart under a fixed INSTANCE_NAME) and any process of
   * this host whose pid no longer exists.
   */
  async register(): Promise<Predecessor[]> {
    const previous = await this.db.executor.findMany({
      where: { OR: [{ name: this.name }, { host: this.host }] },
      select: { name: true, host: true, bootId: true, pid: true },
    });
    const now = new Date();
    const row = {
      host: this.host,
      // An instance that runs attempts serves every group; a control plane (NATS) runs none.
      groups: JSON.stringify(this.mode === "in-process" ? ["*"] : []),
      mode: this.mode,
      version: this.version,
      startedAt: this.#startedAt,
      lastSeenAt: now,
      running: 0,
      bootId: this.bootId,
      pid: process.pid,
    };
    await this.db.executor.upsert({ where: { name: this.name }, create: { name: this.name, ...row }, update: row });
    this.#lastRenewOk = performance.now();
    return previous
      .filter((p) => p.bootId !== "" && (p.name === this.name || (p.pid !== null && !pidAlive(p.pid))))
      .map((p) => ({ bootId: p.bootId, name: p.name, sameHost: p.host === this.host }));
  }

  /** Renews the lease. False when the database could not be reached. */
  async renew(running: number): Promise<boolean> {
    try {
      const { count } = await this.db.executor.updateMany({
        where: { name: this.name, bootId: this.bootId },
        data: { lastSeenAt: new Date(), running },
      });
      if (count === 0 && !this.#nameTaken) {
        this.#nameTaken = true;
        this.log.error(
          { instanceName: this.name },
          "another process started under this INSTANCE_NAME and took over its runs: give every instance its own name",
        );
      }
      this.#lastRenewOk = performance.now();
      this.#renewFailures = 0;
      return true;
    } catch (err) {
      if (this.#renewFailures++ === 0) this.log.warn({ err }, "could not renew this instance's lease");
      return false;
    }
  }

  /** Whether the lease was renewed recently enough to start a claimed slot with no round trip. */
  get fresh(): boolean {
    return performance.now() - this.#lastRenewOk <= FRESH_MS;
  }

  /** Reads every peer's lease. Call after reading the runs to judge, so their owners are listed. */
  async observe(): Promise<void> {
    const rows = await this.db.executor.findMany({ select: { bootId: true, lastSeenAt: true } });
    const now = performance.now();
    const gap = now - this.#lastObserved > OBSERVATION_GAP_MS;
    this.#lastObserved = now;
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.bootId === "") continue;
      seen.add(row.bootId);
      const lastSeenAt = row.lastSeenAt.getTime();
      const peer = this.#peers.get(row.bootId);
      if (!peer) this.#peers.set(row.bootId, { lastSeenAt, changedSeenAt: now });
      else if (peer.lastSeenAt !== lastSeenAt || gap) {
        peer.lastSeenAt = lastSeenAt;
        peer.changedSeenAt = now;
      }
    }
    for (const bootId of this.#peers.keys()) if (!seen.has(bootId)) this.#peers.delete(bootId);
  }

  /**
   * How long the owner has been silent, by our own clock and reads: "gone" when no process holds
   * that bootId any more (its name was taken by a successor), else milliseconds.
   */
  silence(bootId: string): number | "gone" {
    if (bootId === this.bootId) return 0;
    const peer = this.#peers.get(bootId);
    if (!peer) return "gone";
    return this.#lastObserved - peer.changedSeenAt;
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

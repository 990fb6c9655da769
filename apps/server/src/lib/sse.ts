import type { ServerResponse } from "node:http";

/** Output held for one follower whose connection is backed up; beyond it the oldest is dropped. */
export const SSE_BACKLOG_BYTES = 256 * 1024;
/** Queued output chunks smaller than this are merged, so tiny writes cannot pile up as many entries. */
const MERGE_BELOW_BYTES = 16 * 1024;

type Pending =
  | { kind: "event"; frame: string }
  /** `skipped`: bytes dropped just before this text; `reset`: the text replaces what was shown. */
  | { kind: "output"; text: string; bytes: number; reset: boolean; skipped: number };

function frame(event: string, data?: unknown): string {
  return `event: ${event}\ndata: ${data === undefined ? "" : JSON.stringify(data)}\n\n`;
}

/**
 * Drops at least the first `bytes` UTF-8 bytes of `text` (`textBytes` long), never splitting a
 * character; says how many went. Counts instead of encoding: a slow follower of a fast run gets
 * here for every chunk, and a buffer per chunk would be garbage the size of the output.
 */
function dropHead(text: string, textBytes: number, bytes: number): { rest: string; dropped: number } {
  if (textBytes === text.length) return { rest: text.slice(bytes), dropped: Math.min(bytes, textBytes) };
  let at = 0;
  let dropped = 0;
  while (at < text.length && dropped < bytes) {
    const code = text.codePointAt(at) as number;
    // As Buffer.byteLength counts: a lone surrogate becomes U+FFFD, 3 bytes.
    dropped += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    at += code > 0xffff ? 2 : 1;
  }
  return { rest: text.slice(at), dropped };
}

/**
 * Server-Sent Events to one follower, in bounded memory however slowly it reads. While the socket
 * is backed up (write() returned false, until 'drain'), events wait here; queued output beyond
 * `limitBytes` is dropped oldest first, and where it was dropped the follower gets
 * `event: gap` `{skippedBytes}` before the newer output. Other events (status, end) are never
 * dropped and keep their order with the output.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  readonly #limitBytes: number;
  readonly #queue: Pending[] = [];
  #queuedBytes = 0;
  #blocked = false;
  #closed = false;
  #skippedBytes = 0;

  constructor(res: ServerResponse, limitBytes = SSE_BACKLOG_BYTES) {
    this.#res = res;
    this.#limitBytes = limitBytes;
    res.on("drain", () => this.#flush());
  }

  /** Output bytes this follower never got. */
  get skippedBytes(): number {
    return this.#skippedBytes;
  }

  event(name: string, data?: unknown): void {
    this.#push({ kind: "event", frame: frame(name, data) });
  }

  output(text: string, reset = false): void {
    if (text === "" && !reset) return;
    this.#push({ kind: "output", text, bytes: Buffer.byteLength(text), reset, skipped: 0 });
  }

  /** Output skipped before it reached this writer (by a worker whose channel was backed up). */
  gap(skippedBytes: number): void {
    if (skippedBytes <= 0) return;
    this.#skippedBytes += skippedBytes;
    this.event("gap", { skippedBytes });
  }

  /** A comment line (keepalive); pointless while data is waiting, so skipped then. */
  comment(text: string): void {
    if (!this.#closed && !this.#blocked && this.#queue.length === 0) this.#write(`: ${text}\n\n`);
  }

  /** Sends what is queued (bounded) and ends the response. */
  end(): void {
    if (this.#closed) return;
    for (const item of this.#queue.splice(0)) this.#send(item);
    this.#queuedBytes = 0;
    this.#closed = true;
    this.#res.end();
  }

  /** The follower went away: forget what is queued. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
  }

  #push(item: Pending): void {
    if (this.#closed) return;
    if (!this.#blocked && this.#queue.length === 0) {
      this.#send(item);
      return;
    }
    if (item.kind === "output") {
      if (item.reset) {
        // Replaced text need not be sent at all (dropping it is no gap).
        for (let i = this.#queue.length - 1; i >= 0; i--) {
          if (this.#queue[i]?.kind === "output") this.#queue.splice(i, 1);
        }
        this.#queuedBytes = 0;
      }
      const last = this.#queue.at(-1);
      if (!item.reset && last?.kind === "output" && last.bytes < MERGE_BELOW_BYTES) {
        last.text += item.text;
        last.bytes += item.bytes;
      } else {
        this.#queue.push(item);
      }
      this.#queuedBytes += item.bytes;
      this.#trim();
    } else {
      this.#queue.push(item);
    }
  }

  /** Drops the oldest queued output until what is queued fits the limit. */
  #trim(): void {
    while (this.#queuedBytes > this.#limitBytes) {
      const excess = this.#queuedBytes - this.#limitBytes;
      const index = this.#queue.findIndex((item) => item.kind === "output");
      const oldest = this.#queue[index];
      if (oldest?.kind !== "output") return;
      const next = this.#queue.find((item, i) => i > index && item.kind === "output");
      if (next?.kind === "output" && oldest.bytes <= excess) {
        // The whole entry goes; the gap (and a reset) moves to the next output.
        next.skipped += oldest.skipped + oldest.bytes;
        next.reset ||= oldest.reset;
        this.#queue.splice(index, 1);
        this.#queuedBytes -= oldest.bytes;
        this.#skippedBytes += oldest.bytes;
      } else {
        const { rest, dropped } = dropHead(oldest.text, oldest.bytes, excess);
        oldest.text = rest;
        oldest.bytes -= dropped;
        oldest.skipped += dropped;
        this.#queuedBytes -= dropped;
        this.#skippedBytes += dropped;
      }
    }
  }

  #flush(): void {
    this.#blocked = false;
    while (!this.#closed && !this.#blocked && this.#queue.length > 0) {
      const item = this.#queue.shift() as Pending;
      if (item.kind === "output") this.#queuedBytes -= item.bytes;
      this.#send(item);
    }
  }

  #send(item: Pending): void {
    if (item.kind === "event") {
      this.#write(item.frame);
      return;
    }
    if (item.skipped > 0) {
      // Clear first, so the gap marker is not wiped by a reset that comes after it.
      if (item.reset) this.#write(frame("output", { text: "", reset: true }));
      this.#write(frame("gap", { skippedBytes: item.skipped }));
      if (item.text !== "") this.#write(frame("output", { text: item.text }));
    } else {
      this.#write(frame("output", item.reset ? { text: item.text, reset: true } : { text: item.text }));
    }
  }

  #write(chunk: string): void {
    if (!this.#res.write(chunk)) this.#blocked = true;
  }
}

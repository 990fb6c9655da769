import { createGzip, type Gzip, gzipSync } from "node:zlib";
import { completeUtf8Length } from "./output-buffer.ts";

/** A run's whole (masked) output, gzip-compressed, as the executor hands it over at the end. */
export interface FullOutput {
  /** One gzip file (several members, which gunzip reads as one stream). */
  gzip: Buffer;
  /** Bytes it holds once decompressed (with the line marking a dropped middle, when capped). */
  bytes: number;
  /** The output was over the cap: its middle was dropped and a line says so. */
  capped: boolean;
}

interface Member {
  stream: Gzip;
  chunks: Buffer[];
  raw: number;
  pending: Buffer[];
  pendingBytes: number;
  done: Promise<void>;
}

/**
 * Compresses the output as it is written, keeping at most about `maxBytes` of it (raw): the first
 * half whole, then the rest in gzip members of a few hundred KiB, dropping the oldest members once
 * the newer ones hold the second half. So memory holds compressed bytes only (plus the zlib
 * streams, two at most), however long the run prints; the middle of an output over the cap is
 * dropped member by member, which keeps between half and half plus one member of its end.
 */
export class FullOutputCapture {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #memberBytes: number;
  readonly #head: Member;
  #headOpen = true;
  #current: Member | null = null;
  readonly #tail: Member[] = [];
  #tailRaw = 0;
  #dropped = 0;

  constructor(readonly maxBytes: number) {
    this.#headLimit = Math.floor(maxBytes / 2);
    this.#tailLimit = maxBytes - this.#headLimit;
    this.#memberBytes = Math.min(1024 * 1024, Math.max(16 * 1024, Math.floor(maxBytes / 16)));
    this.#head = member();
  }

  write(bytes: Uint8Array): void {
    let rest = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.#headOpen) {
      const room = this.#headLimit - this.#head.raw;
      if (rest.length <= room) {
        write(this.#head, rest);
        return;
      }
      // The head ends on a whole character, so the marker line never follows half of one.
      const taken = completeUtf8Length(rest.subarray(0, room));
      write(this.#head, rest.subarray(0, taken));
      rest = rest.subarray(taken);
      end(this.#head);
      this.#headOpen = false;
    }
    // Members never hold more than #memberBytes, so the end kept is at most one member over half.
    while (rest.length > 0) {
      this.#current ??= member();
      const part = rest.subarray(0, this.#memberBytes - this.#current.raw);
      rest = rest.subarray(part.length);
      write(this.#current, part);
      this.#tailRaw += part.length;
      if (this.#current.raw >= this.#memberBytes) {
        end(this.#current);
        this.#tail.push(this.#current);
        this.#current = null;
      }
      this.#dropOldest();
    }
  }

  /** Drops the oldest closed members while the newer ones still hold the tail's half. */
  #dropOldest(): void {
    for (let oldest = this.#tail[0]; oldest && this.#tailRaw - oldest.raw >= this.#tailLimit; oldest = this.#tail[0]) {
      this.#tail.shift();
      this.#tailRaw -= oldest.raw;
      this.#dropped += oldest.raw;
    }
  }

  /** Stops compressing: the file is not needed (the output fit the head and tail). */
  discard(): void {
    for (const m of [this.#head, ...this.#tail, ...(this.#current ? [this.#current] : [])]) m.stream.destroy();
    this.#tail.length = 0;
    this.#current = null;
  }

  /** Ends the compression and returns the file. */
  async finish(): Promise<FullOutput> {
    if (this.#headOpen) end(this.#head);
    this.#headOpen = false;
    if (this.#current) {
      end(this.#current);
      this.#tail.push(this.#current);
      this.#current = null;
    }
    const members = [this.#head, ...this.#tail];
    await Promise.all(members.map((m) => m.done));
    const parts = [Buffer.concat(this.#head.chunks)];
    let bytes = this.#head.raw + this.#tailRaw;
    if (this.#dropped > 0) {
      const marker = Buffer.from(
        `\n…[${this.#dropped} bytes left out: the output was over the full-output cap of ${this.maxBytes} bytes]…\n`,
      );
      parts.push(gzipSync(marker));
      bytes += marker.length;
    }
    for (const m of this.#tail) parts.push(Buffer.concat(m.chunks));
    return { gzip: Buffer.concat(parts), bytes, capped: this.#dropped > 0 };
  }
}

function member(): Member {
  const stream = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("error", reject);
  });
  return { stream, chunks, raw: 0, pending: [], pendingBytes: 0, done };
}

/** Small writes are gathered to this size before zlib sees them: a stream write costs the same for 1 byte or 16 KiB. */
const BATCH_BYTES = 16 * 1024;

function write(m: Member, bytes: Buffer): void {
  if (bytes.length === 0) return;
  // Copied (by concat): the caller may reuse its buffer before zlib has read it.
  m.pending.push(bytes);
  m.pendingBytes += bytes.length;
  m.raw += bytes.length;
  if (m.pendingBytes >= BATCH_BYTES) flush(m);
}

function flush(m: Member): void {
  if (m.pendingBytes === 0) return;
  m.stream.write(Buffer.concat(m.pending, m.pendingBytes));
  m.pending = [];
  m.pendingBytes = 0;
}

function end(m: Member): void {
  flush(m);
  m.stream.end();
}

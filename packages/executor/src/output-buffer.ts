export const DEFAULT_OUTPUT_LIMIT_BYTES = 64 * 1024;

/**
 * Captures a run's output in bounded memory: the first half of the limit (head) and the last half
 * (tail, a ring buffer), counting every byte. Memory never exceeds `limitBytes` however much is
 * written, and grows only as output arrives: most runs print little, and a burst of a thousand
 * fires must not zero-fill 64 KiB each up front.
 */
export class OutputBuffer {
  readonly limitBytes: number;
  private readonly headCapacity: number;
  private head: Buffer = Buffer.alloc(0);
  private headLength = 0;
  private readonly tailCapacity: number;
  /** Allocated when the head is full and output goes on. */
  private tail: Buffer | null = null;
  /** Next write position in the ring; once `tailFilled` equals its size, also the oldest byte. */
  private tailPos = 0;
  private tailFilled = 0;
  private total = 0;

  constructor(limitBytes: number = DEFAULT_OUTPUT_LIMIT_BYTES) {
    if (!Number.isInteger(limitBytes) || limitBytes < 0) {
      throw new RangeError(`output limit must be a non-negative integer, got ${limitBytes}`);
    }
    this.limitBytes = limitBytes;
    this.headCapacity = Math.floor(limitBytes / 2);
    this.tailCapacity = limitBytes - this.headCapacity;
  }

  /** Total bytes written, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  /** Whether more was written than the limit keeps. */
  get truncated(): boolean {
    return this.total > this.limitBytes;
  }

  write(chunk: Uint8Array | string): void {
    let bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    this.total += bytes.length;
    if (this.headLength < this.headCapacity) {
      const taken = Math.min(bytes.length, this.headCapacity - this.headLength);
      this.growHead(this.headLength + taken);
      this.head.set(bytes.subarray(0, taken), this.headLength);
      this.headLength += taken;
      bytes = bytes.subarray(taken);
    }
    if (bytes.length > 0) this.writeTail(bytes);
  }

  /** Doubles the head (from 256 bytes) until `needed` fits, never past its capacity. */
  private growHead(needed: number): void {
    if (needed <= this.head.length) return;
    const size = Math.min(this.headCapacity, Math.max(needed, this.head.length * 2, 256));
    const grown = Buffer.alloc(size);
    this.head.copy(grown, 0, 0, this.headLength);
    this.head = grown;
  }

  private writeTail(bytes: Uint8Array): void {
    const size = this.tailCapacity;
    if (size === 0) return;
    this.tail ??= Buffer.alloc(size);
    if (bytes.length >= size) {
      this.tail.set(bytes.subarray(bytes.length - size));
      this.tailPos = 0;
      this.tailFilled = size;
      return;
    }
    const first = Math.min(bytes.length, size - this.tailPos);
    this.tail.set(bytes.subarray(0, first), this.tailPos);
    this.tail.set(bytes.subarray(first), 0);
    this.tailPos = (this.tailPos + bytes.length) % size;
    this.tailFilled = Math.min(size, this.tailFilled + bytes.length);
  }

  /** The tail's bytes, oldest first. */
  private tailBytes(): Buffer {
    if (!this.tail) return Buffer.alloc(0);
    if (this.tailFilled < this.tail.length) return this.tail.subarray(0, this.tailFilled);
    return Buffer.concat([this.tail.subarray(this.tailPos), this.tail.subarray(0, this.tailPos)]);
  }

  /**
   * The kept output as text. When truncated, head and tail are joined by a marker line naming the
   * bytes left out; characters cut in half at either edge are dropped whole (and counted in the marker)
   * so the cut never leaves replacement characters behind.
   */
  toString(): string {
    const head = this.head.subarray(0, this.headLength);
    const tail = this.tailBytes();
    if (!this.truncated) return Buffer.concat([head, tail]).toString("utf8");
    const keptHead = head.subarray(0, completeUtf8Length(head));
    const keptTail = tail.subarray(leadingContinuationBytes(tail));
    const omitted = this.total - keptHead.length - keptTail.length;
    return `${keptHead.toString("utf8")}\n…[${omitted} bytes truncated]…\n${keptTail.toString("utf8")}`;
  }
}

/** Length of `bytes` without a trailing multibyte character whose end was cut off. */
export function completeUtf8Length(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  while (i >= 0 && bytes.length - i <= 3 && isContinuation(bytes[i])) i--;
  const lead = bytes[i];
  if (lead === undefined) return bytes.length;
  const expected = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + expected > bytes.length ? i : bytes.length;
}

/** Continuation bytes at the start of `bytes`, i.e. the remains of a character whose start was cut off. */
function leadingContinuationBytes(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && isContinuation(bytes[i])) i++;
  return i;
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

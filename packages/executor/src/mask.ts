// Secret values a run was given (resolved from ${secret:NAME}) never reach its stored or live
// output: every output stream is masked on its way in, before the capture buffer and the live
// listener see it, so a value split across two chunks is caught as well.

export const SECRET_MASK = "***";

/** Secret values to mask, longest first, so a value holding another is replaced whole. */
export function maskValues(values: readonly string[] | undefined): Buffer[] {
  return [...new Set(values ?? [])]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((value) => Buffer.from(value, "utf8"));
}

const MASK_BYTES = Buffer.from(SECRET_MASK);

function replaceAll(data: Buffer, secrets: readonly Buffer[]): Buffer {
  let out = data;
  for (const secret of secrets) {
    let at = out.indexOf(secret);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(out.subarray(from, at), MASK_BYTES);
      from = at + secret.length;
      at = out.indexOf(secret, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** The text with every secret value replaced by ***. */
export function maskText(text: string, secrets: readonly Buffer[]): string {
  return secrets.length === 0 ? text : replaceAll(Buffer.from(text, "utf8"), secrets).toString("utf8");
}

/**
 * Masks one byte stream chunk by chunk. It holds back only an end of the output that could be the
 * start of a value the next chunk completes, so output that holds no secret is never delayed.
 */
export class StreamMasker {
  #carry: Buffer = Buffer.alloc(0);
  readonly #hold: number;

  constructor(private readonly secrets: readonly Buffer[]) {
    this.#hold = Math.max(0, ...secrets.map((s) => s.length - 1));
  }

  write(chunk: Uint8Array): Buffer {
    const masked = replaceAll(Buffer.concat([this.#carry, chunk]), this.secrets);
    const keep = this.#partialEnd(masked);
    this.#carry = Buffer.from(masked.subarray(masked.length - keep));
    return masked.subarray(0, masked.length - keep);
  }

  end(): Buffer {
    const rest = this.#carry;
    this.#carry = Buffer.alloc(0);
    return rest;
  }

  /** The length of the longest end of `data` that some secret starts with (0: none). */
  #partialEnd(data: Buffer): number {
    for (let k = Math.min(this.#hold, data.length); k > 0; k--) {
      const end = data.subarray(data.length - k);
      if (this.secrets.some((secret) => secret.length > k && secret.subarray(0, k).equals(end))) return k;
    }
    return 0;
  }
}

import { StringDecoder } from "node:string_decoder";
import type { FullOutputCapture } from "./full-output.ts";
import { StreamMasker } from "./mask.ts";
import type { OutputBuffer } from "./output-buffer.ts";

/** Writes one byte stream (stdout, stderr or a response body) into the shared buffer and the live listener. */
export interface StreamWriter {
  write(chunk: Uint8Array): void;
  /** Flushes a character left incomplete at the end of the stream to the listener. */
  end(): void;
}

/**
 * Fans raw output out to the capture buffer (bytes, arrival order) and to the optional live listener
 * (text). Each stream gets its own decoder so a character split across chunks reaches the listener whole.
 */
export class OutputSink {
  constructor(
    readonly buffer: OutputBuffer,
    private readonly onOutput?: (text: string) => void,
    /** Secret values the attempt was given: masked before anything keeps or shows the output. */
    private readonly secrets: readonly Buffer[] = [],
    /** The whole output, compressed (when the request asks for it): masked like the rest. */
    private readonly full: FullOutputCapture | null = null,
  ) {}

  stream(): StreamWriter {
    const decoder = this.onOutput ? new StringDecoder("utf8") : null;
    const masker = this.secrets.length > 0 ? new StreamMasker(this.secrets) : null;
    const take = (bytes: Uint8Array) => {
      if (bytes.byteLength === 0) return;
      this.buffer.write(bytes);
      this.full?.write(bytes);
      if (decoder) this.emit(decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    };
    return {
      write: (chunk) => take(masker ? masker.write(chunk) : chunk),
      end: () => {
        if (masker) take(masker.end());
        if (decoder) this.emit(decoder.end());
      },
    };
  }

  private emit(text: string): void {
    if (text === "" || !this.onOutput) return;
    try {
      this.onOutput(text);
    } catch {
      // A broken live listener (e.g. a closed SSE client) must not fail the run it is watching.
    }
  }
}

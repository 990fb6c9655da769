import { describe, expect, it } from "vitest";
import { DEFAULT_OUTPUT_LIMIT_BYTES, OutputBuffer } from "../src/index.ts";

describe("OutputBuffer", () => {
  it("keeps everything up to the limit, across chunks", () => {
    const buffer = new OutputBuffer(10);
    buffer.write("abcd");
    buffer.write(Buffer.from("efghij"));
    expect(buffer.toString()).toBe("abcdefghij");
    expect(buffer.truncated).toBe(false);
    expect(buffer.totalBytes).toBe(10);
  });

  it("defaults to 64 KiB", () => {
    expect(new OutputBuffer().limitBytes).toBe(64 * 1024);
    expect(DEFAULT_OUTPUT_LIMIT_BYTES).toBe(65536);
  });

  it("keeps head and tail with a marker naming the bytes left out", () => {
    const buffer = new OutputBuffer(10);
    buffer.write("01234");
    buffer.write("middle-part-");
    buffer.write("VWXYZ");
    expect(buffer.truncated).toBe(true);
    expect(buffer.totalBytes).toBe(22);
    expect(buffer.toString()).toBe("01234\n…[12 bytes truncated]…\nVWXYZ");
  });

  it("keeps the right tail whatever the chunk sizes", () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join("");
    for (const chunkSize of [1, 3, 7, 64, 1000, text.length]) {
      const buffer = new OutputBuffer(100);
      for (let i = 0; i < text.length; i += chunkSize) buffer.write(text.slice(i, i + chunkSize));
      const omitted = text.length - 100;
      expect(buffer.toString()).toBe(`${text.slice(0, 50)}\n…[${omitted} bytes truncated]…\n${text.slice(-50)}`);
    }
  });

  it("drops a multibyte character cut at either edge instead of emitting garbage", () => {
    const buffer = new OutputBuffer(10);
    for (let i = 0; i < 100; i++) buffer.write("😀"); // 4 bytes each: the 5-byte halves cut one in two
    const text = buffer.toString();
    expect(text).not.toContain("\uFFFD");
    expect(text).toBe("😀\n…[392 bytes truncated]…\n😀");
  });

  it("reassembles a character split across writes when nothing is truncated", () => {
    const bytes = Buffer.from("a😀b中");
    const buffer = new OutputBuffer(1024);
    for (const byte of bytes) buffer.write(Uint8Array.of(byte));
    expect(buffer.toString()).toBe("a😀b中");
  });

  it("uses fixed memory however much is written", () => {
    const buffer = new OutputBuffer(64 * 1024);
    const chunk = Buffer.alloc(1024 * 1024, "x");
    for (let i = 0; i < 50; i++) buffer.write(chunk);
    expect(buffer.totalBytes).toBe(50 * 1024 * 1024);
    expect(Buffer.byteLength(buffer.toString())).toBeLessThan(64 * 1024 + 100);
  });

  it("handles a zero limit and rejects a bad one", () => {
    const buffer = new OutputBuffer(0);
    buffer.write("abc");
    expect(buffer.toString()).toBe("\n…[3 bytes truncated]…\n");
    expect(() => new OutputBuffer(-1)).toThrow(RangeError);
    expect(() => new OutputBuffer(1.5)).toThrow(RangeError);
  });
});

describe("OutputBuffer growth", () => {
  it("keeps the same head and tail however the output is chunked while the head grows", () => {
    const limit = 4096;
    const full = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join("");
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const whole = new OutputBuffer(limit);
    whole.write(full);
    for (let round = 0; round < 20; round++) {
      const chunked = new OutputBuffer(limit);
      let at = 0;
      while (at < full.length) {
        const size = 1 + Math.floor(random() * 700);
        chunked.write(full.slice(at, at + size));
        at += size;
      }
      expect(chunked.toString()).toBe(whole.toString());
      expect(chunked.totalBytes).toBe(Buffer.byteLength(full));
    }
    const small = new OutputBuffer(limit);
    small.write("short");
    expect(small.toString()).toBe("short");
    expect(small.truncated).toBe(false);
  });
});

import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FullOutputCapture } from "../src/full-output.ts";

// The executor's compressed copy of a run's whole output (day two): exact under the cap, and past
// it the head and about half the cap of the end, with a line naming the bytes left out.

const text = (lines: number) => Array.from({ length: lines }, (_, i) => `line ${i + 1} ünï 中文\n`).join("");

async function capture(max: number, output: string, chunk: number) {
  const full = new FullOutputCapture(max);
  const bytes = Buffer.from(output);
  for (let i = 0; i < bytes.length; i += chunk) full.write(bytes.subarray(i, i + chunk));
  const result = await full.finish();
  return { ...result, text: gunzipSync(result.gzip).toString("utf8") };
}

describe("FullOutputCapture", () => {
  it("keeps an output under the cap byte for byte, in chunks of any size", async () => {
    const output = text(20_000);
    for (const chunk of [1, 777, 65_536, 10_000_000]) {
      const result = await capture(10 * 1024 * 1024, output, chunk);
      expect(result.text === output).toBe(true);
      expect(result).toMatchObject({ bytes: Buffer.byteLength(output), capped: false });
      expect(result.gzip.length).toBeLessThan(Buffer.byteLength(output) / 3);
    }
  });

  it("past the cap keeps the head whole and the end, joined by a line naming the bytes left out", async () => {
    const output = text(50_000);
    const max = 100_000;
    for (const chunk of [333, 65_536, 1_000_000]) {
      const result = await capture(max, output, chunk);
      expect(result.capped).toBe(true);
      expect(Buffer.byteLength(result.text)).toBe(result.bytes);
      const match = result.text.match(
        /\n…\[(\d+) bytes left out: the output was over the full-output cap of 100000 bytes\]…\n/,
      );
      expect(match).not.toBeNull();
      const [head, tail] = result.text.split(match?.[0] as string) as [string, string];
      expect(output.startsWith(head)).toBe(true);
      expect(output.endsWith(tail)).toBe(true);
      expect(Buffer.byteLength(head)).toBeLessThanOrEqual(max / 2);
      expect(Buffer.byteLength(head)).toBeGreaterThan(max / 2 - 4);
      expect(Buffer.byteLength(tail)).toBeGreaterThanOrEqual(max / 2);
      expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(max / 2 + 16 * 1024);
      expect(Number(match?.[1]) + Buffer.byteLength(head) + Buffer.byteLength(tail)).toBe(Buffer.byteLength(output));
    }
  });
});

import { describe, expect, it } from "vitest";
import { SlotHeap } from "../src/slot-heap.ts";

function drain(heap: SlotHeap): [number, number, number][] {
  const out: [number, number, number][] = [];
  while (heap.size > 0) {
    out.push([heap.peekAt(), heap.peekId(), heap.peekGen()]);
    heap.pop();
  }
  return out;
}

describe("SlotHeap", () => {
  it("pops by fire instant, ties by task id, across growth", () => {
    const heap = new SlotHeap();
    const entries: [number, number, number][] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i++) entries.push([1_000 * (random() % 300), random() % 10_000, i]);
    for (const [at, id, gen] of entries) heap.push(at, id, gen);
    const popped = drain(heap);
    const expected = [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(popped.map(([at, id]) => [at, id])).toEqual(expected.map(([at, id]) => [at, id]));
    expect(heap.peekAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it("retain drops rejected entries and keeps heap order", () => {
    const heap = new SlotHeap();
    for (let i = 0; i < 2000; i++) heap.push((i * 7919) % 2000, i, i % 3);
    const dropped = heap.retain((_id, gen) => gen !== 0);
    expect(dropped).toBe(667);
    const popped = drain(heap);
    expect(popped).toHaveLength(1333);
    expect(popped.every(([, , gen]) => gen !== 0)).toBe(true);
    expect(popped.map(([at]) => at)).toEqual(popped.map(([at]) => at).sort((a, b) => a - b));
  });
});

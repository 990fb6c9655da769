// A binary min-heap of (fire instant, task id, arming generation) kept in parallel typed arrays:
// with 100,000 tasks that is ~2.4 MB and no per-entry objects for the garbage collector to trace.
// Entries are never updated in place; the scheduler invalidates them lazily by generation.

const INITIAL_CAPACITY = 1024;

export class SlotHeap {
  #at = new Float64Array(INITIAL_CAPACITY);
  #id = new Float64Array(INITIAL_CAPACITY);
  #gen = new Float64Array(INITIAL_CAPACITY);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The earliest fire instant (epoch ms), or Infinity when empty. */
  peekAt(): number {
    return this.#size === 0 ? Number.POSITIVE_INFINITY : (this.#at[0] as number);
  }

  peekId(): number {
    return this.#id[0] as number;
  }

  peekGen(): number {
    return this.#gen[0] as number;
  }

  push(at: number, id: number, gen: number): void {
    if (this.#size === this.#at.length) this.#grow();
    const i = this.#size++;
    this.#at[i] = at;
    this.#id[i] = id;
    this.#gen[i] = gen;
    this.#siftUp(i);
  }

  /** Removes the top entry; read it with the peek methods first. */
  pop(): void {
    if (this.#size === 0) return;
    const last = --this.#size;
    if (last > 0) {
      this.#move(last, 0);
      this.#siftDown(0);
    }
  }

  clear(): void {
    this.#size = 0;
  }

  /** Drops every entry `keep` rejects and restores heap order in O(n). */
  retain(keep: (id: number, gen: number) => boolean): number {
    let kept = 0;
    for (let i = 0; i < this.#size; i++) {
      if (keep(this.#id[i] as number, this.#gen[i] as number)) {
        if (kept !== i) this.#move(i, kept);
        kept++;
      }
    }
    const dropped = this.#size - kept;
    this.#size = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    return dropped;
  }

  #less(a: number, b: number): boolean {
    const atA = this.#at[a] as number;
    const atB = this.#at[b] as number;
    // Ties go to the lower task id so one instant's batch fires in a stable order.
    return atA < atB || (atA === atB && (this.#id[a] as number) < (this.#id[b] as number));
  }

  #move(from: number, to: number): void {
    this.#at[to] = this.#at[from] as number;
    this.#id[to] = this.#id[from] as number;
    this.#gen[to] = this.#gen[from] as number;
  }

  #swap(a: number, b: number): void {
    const at = this.#at[a] as number;
    const id = this.#id[a] as number;
    const gen = this.#gen[a] as number;
    this.#move(b, a);
    this.#at[b] = at;
    this.#id[b] = id;
    this.#gen[b] = gen;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.#size) return;
      const right = left + 1;
      const child = right < this.#size && this.#less(right, left) ? right : left;
      if (!this.#less(child, i)) return;
      this.#swap(i, child);
      i = child;
    }
  }

  #grow(): void {
    const capacity = this.#at.length * 2;
    const at = new Float64Array(capacity);
    const id = new Float64Array(capacity);
    const gen = new Float64Array(capacity);
    at.set(this.#at);
    id.set(this.#id);
    gen.set(this.#gen);
    this.#at = at;
    this.#id = id;
    this.#gen = gen;
  }
}

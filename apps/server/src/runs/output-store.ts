import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Db } from "@crondeck/db";
import type { FullOutput } from "@crondeck/executor";

/** What the API says of a run's full output. */
export interface FullOutputInfo {
  /** The whole output can be downloaded (kept compressed, or held whole by the run's own output). */
  kept: boolean;
  /** Bytes the download holds (decompressed); null when it is not kept. */
  bytes: number | null;
  /** Bytes stored compressed (0 when the run's own output holds it all). */
  compressedBytes: number;
  /** Over RUN_OUTPUT_MAX_BYTES: its middle was dropped (a line in it says how much). */
  capped: boolean;
}

/**
 * The RunOutput rows: the whole compressed output of runs whose head and tail did not hold it all,
 * written when the run's end is recorded and dropped oldest first past the total budget. Deleting
 * a run deletes its row (foreign key, ON DELETE CASCADE), so retention needs nothing here.
 */
export class RunOutputStore {
  constructor(
    private readonly db: Db,
    /** Compressed bytes all runs' full outputs may take together; 0 keeps none (reads need none). */
    private readonly budgetBytes: number = Number.POSITIVE_INFINITY,
    private readonly log: { warn(obj: object, msg: string): void } = { warn() {} },
  ) {}

  /**
   * Stores the full outputs of runs whose end was just recorded, then keeps within the budget.
   * Never throws: the end is recorded already, and a run without its full copy still has its head
   * and tail (the API then says the full output is not kept).
   */
  async save(outputs: Array<{ runId: number; output: FullOutput }>): Promise<void> {
    try {
      await this.#save(outputs);
    } catch (err) {
      this.log.warn({ err, runIds: outputs.map((o) => o.runId) }, "could not store the full output of runs");
    }
  }

  async #save(outputs: Array<{ runId: number; output: FullOutput }>): Promise<void> {
    if (outputs.length === 0 || this.budgetBytes === 0) return;
    for (const { runId, output } of outputs) {
      // One larger than the whole budget could only push out every other and then itself.
      if (output.gzip.length > this.budgetBytes) continue;
      const data = {
        data: new Uint8Array(output.gzip),
        bytes: output.bytes,
        compressedBytes: output.gzip.length,
        capped: output.capped,
      };
      // An end recorded twice (a result redelivered) writes the same file again.
      await this.db.runOutput.upsert({ where: { runId }, create: { runId, ...data }, update: data });
    }
    await this.enforceBudget();
  }

  /** Drops the oldest runs' full outputs until the rest fit the budget (their head and tail stay). */
  async enforceBudget(): Promise<number> {
    const total = await this.db.runOutput.aggregate({ _sum: { compressedBytes: true } });
    let excess = (total._sum.compressedBytes ?? 0) - this.budgetBytes;
    let dropped = 0;
    while (excess > 0) {
      const oldest = await this.db.runOutput.findMany({
        select: { runId: true, compressedBytes: true },
        orderBy: { runId: "asc" },
        take: 100,
      });
      if (oldest.length === 0) break;
      const ids: number[] = [];
      for (const row of oldest) {
        if (excess <= 0) break;
        ids.push(row.runId);
        excess -= row.compressedBytes;
      }
      dropped += (await this.db.runOutput.deleteMany({ where: { runId: { in: ids } } })).count;
    }
    return dropped;
  }

  /** What the API says of a run's full output (not the file itself). */
  async info(run: { id: number; truncated: boolean; outputBytes: number }): Promise<FullOutputInfo> {
    if (!run.truncated) return { kept: true, bytes: run.outputBytes, compressedBytes: 0, capped: false };
    const row = await this.db.runOutput.findUnique({
      where: { runId: run.id },
      select: { bytes: true, compressedBytes: true, capped: true },
    });
    return row
      ? { kept: true, bytes: row.bytes, compressedBytes: row.compressedBytes, capped: row.capped }
      : { kept: false, bytes: null, compressedBytes: 0, capped: false };
  }

  /** The full output decompressed as it is read, with its size; null when it is not kept. */
  async open(runId: number): Promise<{ stream: Readable; bytes: number; capped: boolean } | null> {
    const row = await this.db.runOutput.findUnique({ where: { runId } });
    if (!row) return null;
    const stream = createGunzip();
    stream.end(row.data);
    return { stream, bytes: row.bytes, capped: row.capped };
  }
}

import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { FINAL_RUN_STATUSES, type RunStatus } from "@crondeck/core";
import type { Db, Provider } from "@crondeck/db";
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
    /** Writes append parts in each database's own SQL (null: this store only reads). */
    private readonly provider: Provider | null = null,
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
    if (!this.provider) throw new Error("this RunOutputStore only reads: it was given no provider");
    for (const { runId, output } of outputs) {
      // One larger than the whole budget could only push out every other and then itself.
      if (output.gzip.length > this.budgetBytes) continue;
      // An end recorded twice (a result redelivered) carries the same file: the first one stays.
      if (await this.db.runOutput.findUnique({ where: { runId }, select: { runId: true } })) continue;
      const { gzip } = output;
      await this.db.runOutput.create({
        data: {
          runId,
          data: new Uint8Array(gzip.subarray(0, PART_BYTES)),
          bytes: output.bytes,
          compressedBytes: gzip.length,
          capped: output.capped,
        },
      });
      // The rest part by part, the event loop free between parts: Prisma spends CPU on every byte
      // of a parameter (see docs/benchmarks.md), and one statement of megabytes would stall it.
      const append = this.provider === "mysql" ? "CONCAT(`data`, ?)" : "CAST(`data` || ? AS BLOB)";
      for (let offset = PART_BYTES; offset < gzip.length; offset += PART_BYTES) {
        await yieldTurn();
        await this.db.$executeRawUnsafe(
          `UPDATE \`RunOutput\` SET \`data\` = ${append} WHERE \`runId\` = ?`,
          // A plain Uint8Array: the SQLite adapter sends a Buffer as its JSON.
          new Uint8Array(gzip.subarray(offset, offset + PART_BYTES)),
          runId,
        );
      }
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
  async info(run: { id: number; status: string; truncated: boolean; outputBytes: number }): Promise<FullOutputInfo> {
    if (!run.truncated) return { kept: true, bytes: run.outputBytes, compressedBytes: 0, capped: false };
    // Still running: its file comes with its end.
    if (!FINAL_RUN_STATUSES.includes(run.status as RunStatus))
      return { kept: false, bytes: null, compressedBytes: 0, capped: false };
    const row = await this.db.runOutput.findUnique({
      where: { runId: run.id },
      select: { bytes: true, compressedBytes: true, capped: true },
    });
    return row
      ? { kept: true, bytes: row.bytes, compressedBytes: row.compressedBytes, capped: row.capped }
      : { kept: false, bytes: null, compressedBytes: 0, capped: false };
  }

  /**
   * The full output, read part by part and decompressed as it is sent, with its size; null when
   * it is not kept. Only for an ended run: its file is whole before its end is recorded.
   */
  async open(runId: number): Promise<{ stream: Readable; bytes: number; capped: boolean } | null> {
    const row = await this.db.runOutput.findUnique({
      where: { runId },
      select: { bytes: true, compressedBytes: true, capped: true },
    });
    if (!row) return null;
    const db = this.db;
    const size = row.compressedBytes;
    async function* parts() {
      for (let offset = 0; offset < size; offset += PART_BYTES) {
        // As hex text: a blob from a raw query is refused by Prisma's SQLite adapter.
        const [part] = await db.$queryRawUnsafe<Array<{ part: string | null }>>(
          "SELECT HEX(SUBSTR(`data`, ?, ?)) AS `part` FROM `RunOutput` WHERE `runId` = ?",
          offset + 1,
          PART_BYTES,
          runId,
        );
        // Dropped meanwhile (the budget): the file ends here, and gunzip says it is cut.
        if (!part?.part) return;
        yield Buffer.from(part.part, "hex");
      }
    }
    const stream = createGunzip();
    // pipe() does not pass errors on: a failed read ends the download with it.
    Readable.from(parts(), { objectMode: false })
      .on("error", (err) => stream.destroy(err))
      .pipe(stream);
    return { stream, bytes: row.bytes, capped: row.capped };
  }
}

/** A run's file is written and read in parts of this size (bounded memory, short statements). */
const PART_BYTES = 256 * 1024;

const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

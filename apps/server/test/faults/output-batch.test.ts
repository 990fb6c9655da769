import { testProviders } from "@crondeck/db/testing";
import type { ExecutionResult } from "@crondeck/executor";
import { describe, expect, it } from "vitest";
import { createTask, startTestApp } from "../helpers.ts";

const providers = await testProviders();

// Outputs that straddle every length boundary of the text types (TEXT 65,535 bytes, MEDIUMTEXT
// 16 MiB) and of a length prefix (2 bytes), in one and several bytes per character.
const OUTPUTS: Array<[string, string]> = [
  ["empty", ""],
  ["short", "abc"],
  ["65,535 bytes", "a".repeat(65_535)],
  ["65,536 bytes", "b".repeat(65_536)],
  ["65,571 bytes", "c".repeat(65_571)],
  ["70,000 CJK characters (210,000 bytes)", "中".repeat(70_000)],
  ["emoji over 64 KiB", "😀".repeat(20_000)],
  ["1 MiB", "d".repeat(1 << 20)],
];

describe.each(providers)("run outputs ending together on %s", (provider) => {
  it("stores every output byte for byte, whatever its size and its batch", async () => {
    const t = await startTestApp(provider);
    try {
      const task = await createTask(t.app, { command: "true" });
      const { store } = t.app.engine;
      const runs = await Promise.all(
        OUTPUTS.map(() =>
          store.claim({
            taskId: task.id,
            trigger: "MANUAL",
            scheduledAt: new Date(),
            fireKey: null,
            attempt: 1,
            rootRunId: null,
            status: "RUNNING",
            executor: "test",
            ownerId: "test-owner",
          }),
        ),
      );
      const now = new Date();
      const result = (output: string): ExecutionResult => ({
        status: "SUCCEEDED",
        exitCode: 0,
        httpStatus: null,
        output,
        truncated: false,
        outputBytes: Buffer.byteLength(output),
        error: null,
        errorCode: null,
        errorParams: null,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
      });
      // Called in one turn, so they are recorded by one statement, as runs ending together are.
      const finished = await Promise.all(
        OUTPUTS.map(([, output], i) => store.finish((runs[i] as { id: number }).id, "test-owner", result(output), [])),
      );
      for (const [i, [label, output]] of OUTPUTS.entries()) {
        const stored = await t.app.database.db.run.findUniqueOrThrow({ where: { id: (runs[i] as { id: number }).id } });
        expect(Buffer.byteLength(stored.output), label).toBe(Buffer.byteLength(output));
        expect(stored.output === output, `${label}: stored text differs`).toBe(true);
        expect(finished[i]?.output === output, `${label}: returned text differs`).toBe(true);
        expect(stored.status).toBe("SUCCEEDED");
      }
    } finally {
      await t.close();
    }
  });
});

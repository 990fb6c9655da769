import { describe, expect, it } from "vitest";
import { fromResultEnvelope, type ResultEnvelope, toResultEnvelope } from "../src/protocol.ts";

// Results travel between processes of different versions (executors are upgraded one by one): a
// result without an error code still reads, and a code this side does not know keeps its text.

const base = {
  status: "FAILED" as const,
  exitCode: 3,
  httpStatus: null,
  output: "",
  truncated: false,
  outputBytes: 0,
  error: "exited with code 3",
  startedAt: "2026-12-01T00:00:00.000Z",
  finishedAt: "2026-12-01T00:00:01.000Z",
  durationMs: 1000,
};

describe("result envelopes", () => {
  it("carry the error code and params both ways", () => {
    const result = fromResultEnvelope({ ...base, errorCode: "EXIT_CODE", errorParams: { code: 3 } });
    expect(result).toMatchObject({ error: "exited with code 3", errorCode: "EXIT_CODE", errorParams: { code: 3 } });
    expect(toResultEnvelope(result)).toMatchObject({ errorCode: "EXIT_CODE", errorParams: { code: 3 } });
  });

  it("read an older executor's result, which has no code, as the English error alone", () => {
    const old: ResultEnvelope = { ...base };
    expect(fromResultEnvelope(old)).toMatchObject({ error: "exited with code 3", errorCode: null, errorParams: null });
  });

  it("drop a code this version does not know, keeping the English error", () => {
    const newer = { ...base, errorCode: "FROM_THE_FUTURE", errorParams: { x: 1 } } as unknown as ResultEnvelope;
    expect(fromResultEnvelope(newer)).toMatchObject({
      error: "exited with code 3",
      errorCode: null,
      errorParams: null,
    });
  });
});

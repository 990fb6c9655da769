import { describe, expect, it } from "vitest";
import { matchKeywords } from "../src/index.ts";

describe("matchKeywords", () => {
  it("returns the keywords that occur, in keyword order", () => {
    expect(matchKeywords("disk full; ERROR at step 3", ["ERROR", "WARN", "disk"])).toEqual(["ERROR", "disk"]);
  });

  it("is case-sensitive", () => {
    expect(matchKeywords("error: nope", ["ERROR", "Error"])).toEqual([]);
    expect(matchKeywords("error: nope", ["error"])).toEqual(["error"]);
  });

  it("matches substrings, including multibyte text", () => {
    expect(matchKeywords("备份失败 exit=1", ["失败", "成功", "exit="])).toEqual(["失败", "exit="]);
  });

  it("deduplicates keywords listed twice", () => {
    expect(matchKeywords("FAIL FAIL", ["FAIL", "FAIL", "x"])).toEqual(["FAIL"]);
  });

  it("never matches an empty keyword or an empty list", () => {
    expect(matchKeywords("anything", ["", "thing"])).toEqual(["thing"]);
    expect(matchKeywords("anything", [])).toEqual([]);
    expect(matchKeywords("", ["a"])).toEqual([]);
  });
});

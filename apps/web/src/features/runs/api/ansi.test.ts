import { describe, expect, it } from "vitest";
import { ansiPlainText, ansiSegments, highlightMatches } from "./ansi.ts";

const ESC = "\u001b";

describe("ansiSegments", () => {
  it("leaves output without escape codes as one plain segment", () => {
    expect(ansiSegments("hello\nworld\n")).toEqual([{ text: "hello\nworld\n" }]);
    expect(ansiSegments("")).toEqual([]);
  });

  it("turns SGR colours and decorations into styles and drops the codes", () => {
    const segments = ansiSegments(`${ESC}[31mred${ESC}[0m plain ${ESC}[1;32mbold green${ESC}[0m`);
    expect(segments.map((s) => s.text).join("")).toBe("red plain bold green");
    expect(segments[0]).toEqual({ text: "red", style: { color: "rgb(187, 0, 0)" } });
    expect(segments[1]).toEqual({ text: " plain " });
    expect(segments[2]?.style).toMatchObject({ color: "rgb(0, 187, 0)", fontWeight: 700 });
  });

  it("reads 256-colour and true-colour codes", () => {
    const [a, b] = ansiSegments(`${ESC}[38;5;208morange${ESC}[0m${ESC}[38;2;10;20;30mrgb${ESC}[0m`);
    expect(a?.style?.color).toMatch(/^rgb\(\d+, \d+, \d+\)$/);
    expect(b).toEqual({ text: "rgb", style: { color: "rgb(10, 20, 30)" } });
  });

  it("keeps markup in the output as text (it is rendered as text nodes, never as HTML)", () => {
    const text = `${ESC}[33m<img src=x onerror=alert(1)>${ESC}[0m & <b>`;
    expect(ansiSegments(text).map((s) => s.text)).toEqual(["<img src=x onerror=alert(1)>", " & <b>"]);
  });

  it("joins neighbours of the same look", () => {
    expect(ansiSegments(`${ESC}[31ma${ESC}[31mb${ESC}[0mc`)).toEqual([
      { text: "ab", style: { color: "rgb(187, 0, 0)" } },
      { text: "c" },
    ]);
  });
});

describe("ansiPlainText", () => {
  it("strips the codes", () => {
    expect(ansiPlainText(`${ESC}[31mred${ESC}[0m plain`)).toBe("red plain");
  });
});

describe("highlightMatches", () => {
  it("splits out and numbers every match, ignoring case, keeping each piece's style", () => {
    const red = { color: "rgb(187, 0, 0)" };
    const { segments, count } = highlightMatches(
      [{ text: "Error: disk error", style: red }, { text: " no ERROR here" }],
      "error",
    );
    expect(count).toBe(3);
    expect(segments).toEqual([
      { text: "Error", style: red, match: 0 },
      { text: ": disk ", style: red },
      { text: "error", style: red, match: 1 },
      { text: " no " },
      { text: "ERROR", match: 2 },
      { text: " here" },
    ]);
  });

  it("leaves the segments alone without a query or a match", () => {
    const segments = [{ text: "plain" }];
    expect(highlightMatches(segments, "")).toEqual({ segments, count: 0 });
    expect(highlightMatches(segments, "zzz")).toEqual({ segments, count: 0 });
  });
});

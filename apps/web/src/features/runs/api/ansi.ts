import Anser from "anser";
import type { CSSProperties } from "react";

// Run output carries terminal colour codes (ls --color, test runners, loggers). `anser` parses
// them into text segments with colours; the page renders each as a React text node in a styled
// span, so output is never interpreted as HTML.

export interface AnsiSegment {
  text: string;
  style?: CSSProperties;
  /** The i-th match of a search (see highlightMatches), counted from 0. */
  match?: number;
}

/** The output as segments of plain text with the style its ANSI SGR codes gave it. */
export function ansiSegments(output: string): AnsiSegment[] {
  // Fast path: most output has no escape character at all.
  if (!output.includes("\u001b")) return output ? [{ text: output }] : [];
  const segments: AnsiSegment[] = [];
  for (const entry of Anser.ansiToJson(output, { json: true, remove_empty: true })) {
    const style = styleOf(entry);
    const last = segments.at(-1);
    // Adjacent segments of the same look are joined, so a long output stays a few nodes.
    if (last && sameStyle(last.style, style)) last.text += entry.content;
    else segments.push(style ? { text: entry.content, style } : { text: entry.content });
  }
  return segments;
}

/** The output without its ANSI codes (what a copy to the clipboard should hold). */
export function ansiPlainText(output: string): string {
  return output.includes("\u001b") ? Anser.ansiToText(output) : output;
}

function rgb(value: string | null | undefined): string | undefined {
  return value ? `rgb(${value})` : undefined;
}

function styleOf(entry: Anser.AnserJsonEntry): CSSProperties | undefined {
  const decorations = new Set(entry.decorations ?? []);
  let color = rgb(entry.fg_truecolor || entry.fg);
  let background = rgb(entry.bg_truecolor || entry.bg);
  if (decorations.has("reverse")) {
    [color, background] = [background ?? "var(--output-bg, #0f1620)", color ?? "var(--output-fg, #dce3ec)"];
  }
  const style: CSSProperties = {};
  if (color) style.color = color;
  if (background) style.backgroundColor = background;
  if (decorations.has("bold")) style.fontWeight = 700;
  if (decorations.has("dim")) style.opacity = 0.7;
  if (decorations.has("italic")) style.fontStyle = "italic";
  const lines = [decorations.has("underline") && "underline", decorations.has("strikethrough") && "line-through"];
  const textDecoration = lines.filter(Boolean).join(" ");
  if (textDecoration) style.textDecoration = textDecoration;
  if (decorations.has("hidden")) style.visibility = "hidden";
  return Object.keys(style).length ? style : undefined;
}

function sameStyle(a: CSSProperties | undefined, b: CSSProperties | undefined): boolean {
  if (!a || !b) return a === b;
  const keys = Object.keys(a) as (keyof CSSProperties)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * The segments with every occurrence of `query` (ignoring case) split out and numbered, and how
 * many there are. An occurrence that runs across a colour change is not found.
 */
export function highlightMatches(segments: AnsiSegment[], query: string): { segments: AnsiSegment[]; count: number } {
  if (!query) return { segments, count: 0 };
  const needle = query.toLowerCase();
  const out: AnsiSegment[] = [];
  let count = 0;
  for (const segment of segments) {
    const haystack = segment.text.toLowerCase();
    let from = 0;
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, from)) {
      if (at > from) out.push({ ...segment, text: segment.text.slice(from, at) });
      out.push({ ...segment, text: segment.text.slice(at, at + needle.length), match: count++ });
      from = at + needle.length;
    }
    if (from < segment.text.length) out.push(from === 0 ? segment : { ...segment, text: segment.text.slice(from) });
  }
  return { segments: out, count };
}

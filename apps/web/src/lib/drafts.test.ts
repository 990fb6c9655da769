import { describe, expect, it } from "vitest";
import { clearAllDrafts, clearDraft, readDraft, saveDraft } from "./drafts.ts";

describe("form drafts", () => {
  it("gives a draft back only to the user who typed it", () => {
    saveDraft("task:7", 1, { name: "half-typed" });
    expect(readDraft("task:7", 1)).toEqual({ name: "half-typed" });
    expect(readDraft("task:7", 2)).toBeNull();
    expect(readDraft("task:8", 1)).toBeNull();
    clearDraft("task:7");
    expect(readDraft("task:7", 1)).toBeNull();
  });

  it("forgets every draft on sign-out, and nothing else", () => {
    saveDraft("task:new", 1, { a: 1 });
    saveDraft("task:3", 1, { b: 2 });
    window.sessionStorage.setItem("other", "kept");
    clearAllDrafts();
    expect(readDraft("task:new", 1)).toBeNull();
    expect(readDraft("task:3", 1)).toBeNull();
    expect(window.sessionStorage.getItem("other")).toBe("kept");
  });

  it("ignores a draft it cannot read", () => {
    window.sessionStorage.setItem("crondeck.draft:task:9", "{not json");
    expect(readDraft("task:9", 1)).toBeNull();
  });
});

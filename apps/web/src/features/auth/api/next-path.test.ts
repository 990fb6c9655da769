import { describe, expect, it } from "vitest";
import { loginPath, safeNextPath } from "./next-path.ts";

describe("where to go after signing in", () => {
  it("keeps a path on this site with its query and hash", () => {
    expect(safeNextPath("/tasks/3?tab=runs#x")).toBe("/tasks/3?tab=runs#x");
    expect(loginPath("/tasks?q=a b")).toBe("/login?next=%2Ftasks%3Fq%3Da%2520b");
  });

  it("refuses anything that could leave the site or loop", () => {
    for (const next of [
      null,
      "",
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "/login",
      "/..//evil.example",
      "/./..//evil.example/x?y#z",
      "/%2e%2e//evil.example",
      "/a/../..//evil.example",
    ])
      expect(safeNextPath(next), String(next)).toBe("/");
    expect(loginPath("/")).toBe("/login");
  });
});

import { describe, expect, it } from "vitest";
import { auditDiff } from "./audit-diff.ts";

describe("audit before/after as text", () => {
  it("lists only the fields that changed, old value then new", () => {
    const before = JSON.stringify({ id: 1, name: "a", enabled: true, remark: "x" });
    const after = JSON.stringify({ id: 1, name: "b", enabled: false, remark: "x", nextRunAt: null });
    expect(auditDiff(before, after)).toEqual({
      lines: [
        { kind: "removed", text: '- name: "a"' },
        { kind: "added", text: '+ name: "b"' },
        { kind: "removed", text: "- enabled: true" },
        { kind: "added", text: "+ enabled: false" },
        { kind: "added", text: "+ nextRunAt: null" },
      ],
      unchanged: 2,
    });
  });

  it("shows every field of a creation or a deletion", () => {
    expect(auditDiff(null, '{"name":"t","secret":"***"}').lines.map((l) => l.text)).toEqual([
      '+ name: "t"',
      '+ secret: "***"',
    ]);
    expect(auditDiff('{"name":"t"}', null).lines).toEqual([{ kind: "removed", text: '- name: "t"' }]);
  });

  it("keeps markup as characters and falls back to the raw text for anything that is not an object", () => {
    const payload = `<img src=x onerror="alert(1)">`;
    expect(auditDiff(null, JSON.stringify({ name: payload })).lines[0]?.text).toBe(
      `+ name: ${JSON.stringify(payload)}`,
    );
    expect(auditDiff("not json <b>", '{"runId":4}').lines.map((l) => l.text)).toEqual([
      "- not json <b>",
      "+ {",
      '+   "runId": 4',
      "+ }",
    ]);
  });
});

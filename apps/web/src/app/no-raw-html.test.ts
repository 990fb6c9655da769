import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Task names, commands, remarks, outputs and audit entries come from users and scripts. React
// renders them as text; these are the ways around that, and the dashboard uses none of them.
const RAW_HTML =
  /dangerouslySetInnerHTML|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("untrusted text", () => {
  it("is never inserted as HTML anywhere in the dashboard's source", () => {
    // Not `new URL(…, import.meta.url)`: under jsdom that URL class is not Node's.
    const files = sources(join(import.meta.dirname, ".."));
    expect(files.length).toBeGreaterThan(40);
    const offenders = files.filter((file) => RAW_HTML.test(readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });
});

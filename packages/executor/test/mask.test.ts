import { describe, expect, it } from "vitest";
import { execute } from "../src/index.ts";
import { maskValues, StreamMasker } from "../src/mask.ts";
import { shellRequest } from "./helpers.ts";

// Secret values a run was given never reach its output: not whole, not split across chunks, not in
// the live stream, not in the error.

describe("masking secret values in output", () => {
  it("masks a value split across every possible pair of chunks", () => {
    const secrets = maskValues(["s3cr3t-VALUE", "other"]);
    const text = "a s3cr3t-VALUE b s3cr3t-VALUEother c";
    for (let cut = 0; cut <= text.length; cut++) {
      const masker = new StreamMasker(secrets);
      const out = Buffer.concat([
        masker.write(Buffer.from(text.slice(0, cut))),
        masker.write(Buffer.from(text.slice(cut))),
        masker.end(),
      ]).toString();
      expect(out, `cut at ${cut}`).toBe("a *** b ****** c");
    }
  });

  it("masks stored and live output of a real shell, and the error", async () => {
    const live: string[] = [];
    const result = await execute(
      {
        ...shellRequest(
          `printf 'tok=%s\\n' "$TOKEN"; printf 'half=hun'; sleep 0.2; printf 'ter2\\n'; echo "$GREETING"; exit 3`,
        ),
        env: { TOKEN: "hunter2", GREETING: "hello" },
        mask: ["hunter2"],
      },
      { onOutput: (text) => live.push(text) },
    );
    expect(result.status).toBe("FAILED");
    expect(result.output).toBe("tok=***\nhalf=***\nhello\n");
    expect(live.join("")).toBe("tok=***\nhalf=***\nhello\n");
  });

  it("gives SHELL runs the task's environment, with the run's identity kept", async () => {
    const result = await execute({
      ...shellRequest('echo "$APP_MODE $CRONDECK_RUN_ID"'),
      env: { APP_MODE: "nightly 夜间", CRONDECK_RUN_ID: "forged" },
    });
    expect(result.output).toBe("nightly 夜间 101\n");
  });

  it("keeps a SHELL command, which may hold a secret's value, out of the shell's argv (ps shows argv to every user)", async () => {
    const result = await execute(
      shellRequest(`: marker-Sup3r; tr '\\0' ' ' < /proc/$$/cmdline; echo; echo "env:\${CRONDECK_COMMAND:-unset}"`),
    );
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).not.toContain("marker-Sup3r");
    expect(result.output).toContain("/bin/sh -c");
    expect(result.output).toContain("env:unset");
  });
});

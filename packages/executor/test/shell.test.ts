import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { execute } from "../src/index.ts";
import { taskEnvironment } from "../src/task-env.ts";
import { groupMembers, isRunning, pidsLabelled, shellRequest } from "./helpers.ts";

/** Resolves once `predicate` holds, polling; the test's own timeout bounds the wait. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await sleep(20);
}

describe("execute SHELL", () => {
  it("exit 0 succeeds with its output", async () => {
    const result = await execute(shellRequest("echo hello"));
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      exitCode: 0,
      httpStatus: null,
      output: "hello\n",
      truncated: false,
      outputBytes: 6,
      error: null,
    });
    expect(result.finishedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt.getTime());
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("a non-zero exit fails with the exit code", async () => {
    const result = await execute(shellRequest("echo partial; exit 3"));
    expect(result).toMatchObject({ status: "FAILED", exitCode: 3, output: "partial\n" });
    expect(result.error).toContain("code 3");
    expect(result).toMatchObject({ errorCode: "EXIT_CODE", errorParams: { code: 3 } });
  });

  it("captures stderr interleaved with stdout in arrival order", async () => {
    const result = await execute(shellRequest("echo out1; sleep 0.5; echo err1 >&2; sleep 0.5; echo out2"));
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toBe("out1\nerr1\nout2\n");
  });

  it("passes only allow-listed variables, extras from CRONDECK_TASK_ENV, never Crondeck's secrets", () => {
    const env = taskEnvironment(shellRequest("true", { taskId: 7, runId: 70 }), {
      PATH: "/bin",
      LC_TIME: "C",
      DATABASE_URL: "mysql://root:pw@db/x",
      ADMIN_PASSWORD_FILE: "/run/secrets/admin",
      JAVA_HOME: "/opt/java",
      RANDOM_SECRET: "s",
      CRONDECK_TASK_ENV: "JAVA_HOME, SMTP_URL,DATABASE_URL,ADMIN_PASSWORD_FILE",
      SMTP_URL: "smtp://u:p@h",
    });
    expect(env).toEqual({
      PATH: "/bin",
      LC_TIME: "C",
      JAVA_HOME: "/opt/java",
      CRONDECK_TASK_ID: "7",
      CRONDECK_RUN_ID: "70",
      CRONDECK_SCHEDULED_AT: expect.any(String),
      CRONDECK_ATTEMPT: "1",
    });
    expect(taskEnvironment(shellRequest("true"), {}).PATH).toBe("/usr/local/bin:/usr/bin:/bin");
  });

  it("gives the command the allow-listed environment plus the run's identity", async () => {
    const result = await execute(
      shellRequest('echo "$CRONDECK_TASK_ID|$CRONDECK_RUN_ID|$CRONDECK_SCHEDULED_AT|$CRONDECK_ATTEMPT|$PATH"', {
        taskId: 42,
        runId: 4242,
        attempt: 2,
        scheduledAt: new Date("2026-01-02T03:04:05.000Z"),
      }),
    );
    expect(result.output).toBe(`42|4242|2026-01-02T03:04:05.000Z|2|${process.env.PATH}\n`);
  });

  describe("working directory", () => {
    const saved = process.env.CRONDECK_SHELL_CWD;
    afterEach(() => {
      if (saved === undefined) delete process.env.CRONDECK_SHELL_CWD;
      else process.env.CRONDECK_SHELL_CWD = saved;
    });

    it("is the OS temp directory by default", async () => {
      delete process.env.CRONDECK_SHELL_CWD;
      const result = await execute(shellRequest("pwd -P"));
      expect(result.output).toBe(`${realpathSync(tmpdir())}\n`);
    });

    it("follows CRONDECK_SHELL_CWD", async () => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), "crondeck-cwd-")));
      try {
        process.env.CRONDECK_SHELL_CWD = dir;
        const result = await execute(shellRequest("pwd -P"));
        expect(result.output).toBe(`${dir}\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("timeout kills the whole process group, children included, and keeps the partial output", async () => {
    let output = "";
    let membersWhileRunning: number[] = [];
    const command = [
      'echo "shell $$"',
      'sleep 300 & echo "bg $!"',
      "sh -c 'sleep 300 & echo \"inner $!\"; sleep 300' &",
      'echo "nested $!"',
      "echo ready",
      "wait",
    ].join("\n");
    const run = execute(shellRequest(command, { timeoutSeconds: 3 }), {
      onOutput: (text) => {
        output += text;
      },
    });
    await until(() => output.includes("ready") && output.includes("inner "));
    const shellPid = pidsLabelled(output, "shell")[0] as number;
    membersWhileRunning = groupMembers(shellPid);

    const result = await run;
    expect(result.status).toBe("TIMED_OUT");
    expect(result.error).toContain("timed out");
    expect(result.output).toContain("ready");
    const printed = ["shell", "bg", "inner", "nested"].flatMap((label) => pidsLabelled(result.output, label));
    expect(printed).toHaveLength(4);
    // The group had the shell, both sleeps of the outer shell's children and the nested shell's sleeps.
    expect(membersWhileRunning.length).toBeGreaterThanOrEqual(4);
    for (const pid of new Set([...printed, ...membersWhileRunning])) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    expect(groupMembers(shellPid)).toEqual([]);
  });

  it("escalates to SIGKILL when the group ignores SIGTERM", async () => {
    const result = await execute(
      shellRequest('trap \'\' TERM; echo "shell $$"; sleep 300 & echo "bg $!"; wait', {
        timeoutSeconds: 2,
      }),
      {},
      { killGraceMs: 300 },
    );
    expect(result.status).toBe("TIMED_OUT");
    const [shellPid, bgPid] = [...pidsLabelled(result.output, "shell"), ...pidsLabelled(result.output, "bg")];
    expect(shellPid).toBeDefined();
    expect(bgPid).toBeDefined();
    expect(isRunning(shellPid as number)).toBe(false);
    expect(isRunning(bgPid as number)).toBe(false);
  });

  it("cancel through the AbortSignal stops the run as CANCELED", async () => {
    const controller = new AbortController();
    let output = "";
    const run = execute(shellRequest('echo "started $$"; sleep 300', { timeoutSeconds: 120 }), {
      signal: controller.signal,
      onOutput: (text) => {
        output += text;
        if (output.includes("started")) controller.abort();
      },
    });
    const result = await run;
    expect(result.status).toBe("CANCELED");
    expect(result.error).toBe("canceled");
    expect(result.output).toContain("started");
    expect(isRunning(pidsLabelled(result.output, "started")[0] as number)).toBe(false);
  });

  it("an already-aborted signal cancels without starting anything", async () => {
    const result = await execute(shellRequest("echo never"), { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: "CANCELED", output: "", outputBytes: 0 });
  });

  it("reports a shell killed by a signal with a null exit code and the signal's name", async () => {
    const result = await execute(shellRequest("kill -KILL $$"));
    expect(result).toMatchObject({ status: "FAILED", exitCode: null });
    expect(result.error).toContain("SIGKILL");
    expect(result).toMatchObject({ errorCode: "KILLED_BY_SIGNAL", errorParams: { signal: "SIGKILL" } });
  });

  it("ends the run when the shell exits, terminating what it left in the background", async () => {
    const result = await execute(shellRequest('sleep 300 & echo "bg $!"; echo done', { timeoutSeconds: 120 }));
    expect(result).toMatchObject({ status: "SUCCEEDED", exitCode: 0 });
    expect(result.output).toContain("done");
    expect(isRunning(pidsLabelled(result.output, "bg")[0] as number)).toBe(false);
  });

  it("a spawn failure is a FAILED result with the reason", async () => {
    const result = await execute(shellRequest("echo hi"), {}, { shellCwd: "/nonexistent/crondeck-dir" });
    expect(result.status).toBe("FAILED");
    expect(result.error).toContain("ENOENT");
    expect(result.error).toContain("/nonexistent/crondeck-dir");
    expect(result).toMatchObject({ errorCode: "SPAWN_FAILED", errorParams: { cwd: "/nonexistent/crondeck-dir" } });
  });

  it("rejects a non-positive timeout as FAILED without running", async () => {
    const result = await execute(shellRequest("echo hi", { timeoutSeconds: 0 }));
    expect(result).toMatchObject({ status: "FAILED", output: "" });
    expect(result.error).toContain("timeoutSeconds");
    expect(result.errorCode).toBe("INVALID_REQUEST");
  });

  it("caps 20 MB of output without growing memory", async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await execute(shellRequest("head -c 20000000 /dev/zero | tr '\\0' 'a'", { timeoutSeconds: 120 }));
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(result.status).toBe("SUCCEEDED");
    expect(result).toMatchObject({ truncated: true, outputBytes: 20_000_000 });
    const marker = `\n…[${20_000_000 - 65536} bytes truncated]…\n`;
    expect(result.output).toBe(`${"a".repeat(32768)}${marker}${"a".repeat(32768)}`);
    expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
  });

  it("honours a custom output limit", async () => {
    const result = await execute(shellRequest("seq 1 1000", { outputLimitBytes: 20 }));
    expect(result).toMatchObject({ truncated: true, outputBytes: 3893 });
    expect(result.output).toBe("1\n2\n3\n4\n5\n\n…[3873 bytes truncated]…\n\n999\n1000\n");
  });

  it("keeps UTF-8 and emoji intact", async () => {
    const text = "😀 héllo 中文 ✓ Ünïcödé";
    const result = await execute(shellRequest(`printf '%s\\n' '${text}'`));
    expect(result.output).toBe(`${text}\n`);
    expect(result.outputBytes).toBe(Buffer.byteLength(`${text}\n`));
  });

  it("truncating emoji output leaves no garbage at the cut", async () => {
    const result = await execute(
      shellRequest("for i in $(seq 1 2000); do printf '😀'; done", { outputLimitBytes: 999 }),
    );
    expect(result.truncated).toBe(true);
    expect(result.output).not.toContain("\uFFFD");
    expect(result.output).toMatch(/^(😀)+\n…\[\d+ bytes truncated\]…\n(😀)+$/u);
  });

  it("streams live output chunks to onOutput, a character split across writes arriving whole", async () => {
    const chunks: string[] = [];
    const result = await execute(
      shellRequest("echo first; sleep 0.3; printf '\\360\\237'; sleep 0.3; printf '\\230\\200\\n'"),
      {
        onOutput: (text) => chunks.push(text),
      },
    );
    expect(result.output).toBe("first\n😀\n");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.join("")).toBe("first\n😀\n");
    expect(chunks.join("")).not.toContain("\uFFFD");
  });

  it("a throwing onOutput listener does not break the run", async () => {
    const result = await execute(shellRequest("echo fine"), {
      onOutput: () => {
        throw new Error("listener gone");
      },
    });
    expect(result).toMatchObject({ status: "SUCCEEDED", output: "fine\n" });
  });
});

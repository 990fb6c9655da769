import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ServerProcess, signIn, startServerProcess } from "../../server/test/server-process.ts";

// The built CLI (plain node on apps/cli/dist, the api-client's dist) as a child process against
// a real app process, as an operator would run it.

const root = join(import.meta.dirname, "../../..");
const main = join(root, "apps/cli/dist/main.js");
const PASSWORD = "cli-admin-password-4d2e";

let server: ServerProcess;
let dir: string;
let admin: string;
let viewer: string;
let session: Record<string, string>;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `crondeck <args>` with exactly these variables (no token unless given). */
function crondeck(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--conditions=crondeck-dist", main, ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", CRONDECK_URL: server.url, ...env } },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
    child.stdin?.end();
  });
}

async function token(role: string): Promise<string> {
  const res = await fetch(`${server.url}/api/tokens`, {
    method: "POST",
    headers: session,
    body: JSON.stringify({ name: `cli-${role}`, role }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function createTask(body: object) {
  const res = await fetch(`${server.url}/api/tasks`, { method: "POST", headers: session, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
}

beforeAll(async () => {
  execFileSync("pnpm", ["--filter", "@crondeck/api-client", "--filter", "@crondeck/cli", "build"], {
    cwd: root,
    stdio: "pipe",
  });
  dir = mkdtempSync(join(tmpdir(), "crondeck-cli-"));
  server = await startServerProcess({ ADMIN_PASSWORD: PASSWORD, SCHEDULER: "off" });
  session = await signIn(server.url, "admin", PASSWORD);
  admin = await token("admin");
  viewer = await token("viewer");
  await createTask({
    name: "backup",
    mode: "SHELL",
    cron: "0 3 * * *",
    command: "/opt/backup.sh",
    enabled: false,
    tags: ["Nightly", "db"],
    owner: "ops",
  });
  await createTask({ name: "report", mode: "SHELL", cron: "0 6 * * 1", command: "echo report", enabled: false });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("crondeck tasks", () => {
  it("exports to a file or stdout, by ids too; the file plans as unchanged", async () => {
    const exported = await crondeck(["tasks", "export", "-o", "tasks.yaml"], { CRONDECK_TOKEN: viewer });
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(join(dir, "tasks.yaml"), "utf8");
    expect(Object.keys(parse(text).tasks)).toEqual(["backup", "report"]);
    const api = await fetch(`${server.url}/api/tasks/export`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(await api.text()).toBe(text);

    const out = await crondeck(["tasks", "export", "--ids", "1"], { CRONDECK_TOKEN: viewer });
    expect(out.code).toBe(0);
    expect(Object.keys(parse(out.stdout).tasks)).toEqual(["backup"]);
    expect(parse(out.stdout).tasks.backup).toMatchObject({ tags: ["Nightly", "db"], owner: "ops" });

    // --tag: only the tasks with the tag (ignoring case); repeated, with every one.
    const tagged = await crondeck(["tasks", "export", "--tag", "nightly"], { CRONDECK_TOKEN: viewer });
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(Object.keys(parse(tagged.stdout).tasks)).toEqual(["backup"]);
    const both = await crondeck(["tasks", "export", "--tag", "nightly", "--tag", "weekly"], { CRONDECK_TOKEN: viewer });
    expect(both.code, both.stderr).toBe(0);
    expect(parse(both.stdout).tasks).toEqual({});

    const plan = await crondeck(["tasks", "plan", "-f", "tasks.yaml", "--exit-code"], { CRONDECK_TOKEN: viewer });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("Plan: 0 to create, 0 to change, 0 to delete, 2 unchanged.");
  });

  it("plans changes (exit 3 with --exit-code), asks before applying, applies with --yes, then nothing is left", async () => {
    const text = readFileSync(join(dir, "tasks.yaml"), "utf8")
      .replace("cron: 0 3 * * *", "cron: 0 4 * * *")
      .concat("  cleanup:\n    mode: SHELL\n    cron: '@daily'\n    command: rm -rf /tmp/cache\n    enabled: false\n");
    writeFileSync(join(dir, "changed.yaml"), text);
    const token = { CRONDECK_TOKEN: admin };

    const plan = await crondeck(["tasks", "plan", "-f", "changed.yaml", "--exit-code"], token);
    expect(plan.code, plan.stderr).toBe(3);
    expect(plan.stdout).toContain("+ create  cleanup");
    expect(plan.stdout).toContain("~ update  backup");
    expect(plan.stdout).toContain('cron: "0 3 * * *" → "0 4 * * *"');
    expect((await crondeck(["tasks", "plan", "-f", "changed.yaml"], token)).code).toBe(0);

    // No terminal to ask on: refused, nothing written.
    const unasked = await crondeck(["tasks", "apply", "-f", "changed.yaml"], token);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain("--yes");
    expect((await crondeck(["tasks", "plan", "-f", "changed.yaml", "--exit-code"], token)).code).toBe(3);

    const applied = await crondeck(["tasks", "apply", "-f", "changed.yaml", "--yes"], token);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Applied: 1 created, 1 changed, 0 deleted.");
    const again = await crondeck(["tasks", "apply", "-f", "changed.yaml", "--yes"], token);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing to apply.");

    // --prune deletes what the file does not name.
    writeFileSync(join(dir, "only.yaml"), text.replace(/ {2}report:\n(?: {4}.*\n)+/, ""));
    const pruned = await crondeck(["tasks", "apply", "-f", "only.yaml", "--prune", "--yes"], token);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain("- delete  report");
    expect(pruned.stdout).toContain("0 changed, 1 deleted");
  });

  it("lists each bad task and field and stores nothing (exit 1)", async () => {
    writeFileSync(
      join(dir, "bad.yaml"),
      "version: 1\ntasks:\n  fine: {mode: SHELL, cron: '@daily', command: 'true'}\n  broken: {mode: SHELL, cron: '99 * * * *', command: 'true'}\n  typo: {mode: SHELL, cron: '@daily', command: 'true', retries: 2}\n",
    );
    const res = await crondeck(["tasks", "apply", "-f", "bad.yaml", "--yes"], { CRONDECK_TOKEN: admin });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("VALIDATION_FAILED");
    expect(res.stderr).toMatch(/tasks\.broken\.cron: is not a valid cron expression/);
    expect(res.stderr).toContain("tasks.typo.retries: is not a known field");
    const list = await fetch(`${server.url}/api/tasks?q=fine`, { headers: { authorization: `Bearer ${admin}` } });
    expect(((await list.json()) as { total: number }).total).toBe(0);
  });

  it("refuses bad credentials and usage with exit 2, with the server's message", async () => {
    const bad = await crondeck(["tasks", "export"], { CRONDECK_TOKEN: "cdk_not_a_token" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: .+\(401 /);

    const none = await crondeck(["tasks", "export"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("CRONDECK_TOKEN");

    writeFileSync(
      join(dir, "new.yaml"),
      "version: 1\ntasks:\n  more: {mode: SHELL, cron: '@daily', command: 'true'}\n",
    );
    const forbidden = await crondeck(["tasks", "apply", "-f", "new.yaml", "--yes"], { CRONDECK_TOKEN: viewer });
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toContain("this needs the admin role; you are viewer (403 FORBIDDEN)");

    for (const args of [
      ["tasks"],
      ["tasks", "plan"],
      ["tasks", "export", "--bogus"],
      ["nope"],
      ["tasks", "export", "--ids", "x"],
    ]) {
      const res = await crondeck(args, { CRONDECK_TOKEN: admin });
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr, args.join(" ")).not.toBe("");
    }
    writeFileSync(join(dir, "token"), `${viewer}\n`);
    const fromFile = await crondeck(["tasks", "export"], { CRONDECK_TOKEN_FILE: join(dir, "token") });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const both = await crondeck(["tasks", "export"], {
      CRONDECK_TOKEN_FILE: join(dir, "token"),
      CRONDECK_TOKEN: viewer,
    });
    expect(both.code).toBe(2);
  });

  it("says where it could not reach the server (exit 1)", async () => {
    const res = await crondeck(["tasks", "export"], { CRONDECK_TOKEN: admin, CRONDECK_URL: "http://127.0.0.1:9" });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("cannot reach Crondeck at http://127.0.0.1:9");
  });
});

import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { type ApiErrorBody, createCrondeckClient, type paths } from "@crondeck/api-client";

// crondeck tasks export|plan|apply, on the generated API client only (README "Tasks as code").

/** Exit codes, as documented in the README and in `crondeck --help`. */
export const EXIT = { ok: 0, error: 1, usage: 2, changes: 3 } as const;

export const USAGE = `Usage:
  crondeck tasks export [-o FILE] [--ids 1,2,3] [--tag TAG]...
  crondeck tasks plan  -f FILE [--prune] [--exit-code] [--json]
  crondeck tasks apply -f FILE [--prune] [--yes] [--json]

FILE may be - for standard input (apply then needs --yes).
--tag exports only the tasks with that tag (ignoring case); repeated, those with every one.

Environment:
  CRONDECK_URL         where Crondeck answers (default http://127.0.0.1:3000)
  CRONDECK_TOKEN       an API token (export and plan need viewer, apply needs admin)
  CRONDECK_TOKEN_FILE  or a file holding it

Exit codes: 0 done; 1 error (refused file, stale plan, server unreachable);
2 usage or credentials (bad arguments, no token, 401/403);
3 plan --exit-code only: the plan has changes.`;

export interface Io {
  env: Record<string, string | undefined>;
  /** What relative file names are relative to. */
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The whole standard input (a file given as -). */
  readStdin: () => Promise<string>;
  /** Asks a yes/no question on the terminal; null when there is no terminal to ask on. */
  confirm: ((question: string) => Promise<boolean>) | null;
}

class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A plan as the API returns it (the generated type of planTasks' answer). */
export type Plan = paths["/api/tasks/plan"]["post"]["responses"][200]["content"]["application/json"];

async function readToken(env: Io["env"]): Promise<string> {
  const direct = env.CRONDECK_TOKEN;
  const file = env.CRONDECK_TOKEN_FILE;
  if (direct && file) throw new CliError(EXIT.usage, "set CRONDECK_TOKEN or CRONDECK_TOKEN_FILE, not both");
  if (file) {
    try {
      return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    } catch (err) {
      throw new CliError(EXIT.usage, `cannot read CRONDECK_TOKEN_FILE (${file}): ${(err as Error).message}`);
    }
  }
  if (!direct) {
    throw new CliError(
      EXIT.usage,
      "no API token: set CRONDECK_TOKEN (or CRONDECK_TOKEN_FILE); create one on the dashboard's API tokens page",
    );
  }
  return direct;
}

/** The server's answer to a refused request, as an exit code and a message naming each field. */
function refused(status: number, body: unknown): CliError {
  const error = (typeof body === "object" && body !== null ? body : {}) as Partial<ApiErrorBody>;
  const message = error.message ?? (typeof body === "string" && body ? body : `the server answered ${status}`);
  const lines = [`error: ${message}${error.code ? ` (${status} ${error.code})` : ` (${status})`}`];
  for (const d of error.details ?? []) lines.push(`  ${d.field}: ${d.message}`);
  if (error.code === "PLAN_STALE") lines.push("  run the command again to plan against the tasks as they are now");
  const code = status === 401 || status === 403 ? EXIT.usage : EXIT.error;
  return new CliError(code, lines.join("\n"));
}

/** Runs a client call; a network failure says where it tried. */
async function call<T extends { error?: unknown; response: Response }>(
  baseUrl: string,
  request: Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await request;
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new CliError(EXIT.error, `error: cannot reach Crondeck at ${baseUrl}: ${cause}`);
  }
  if (!result.response.ok) throw refused(result.response.status, result.error);
  return result;
}

const show = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value));

/** A plan as people read it, terraform-like: + create, ~ update (with each field), - delete. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const item of plan.items) {
    if (item.action === "create") lines.push(`+ create  ${item.name}`);
    else if (item.action === "delete") lines.push(`- delete  ${item.name} (id ${item.id})`);
    else if (item.action === "update") {
      lines.push(`~ update  ${item.name} (id ${item.id})`);
      for (const c of item.changes) lines.push(`      ${c.field}: ${show(c.before)} → ${show(c.after)}`);
    }
  }
  const { create, update, delete: remove, unchanged } = plan.summary;
  if (lines.length > 0) lines.push("");
  lines.push(`Plan: ${create} to create, ${update} to change, ${remove} to delete, ${unchanged} unchanged.`);
  if (!plan.prune && remove === 0) lines.push("Tasks the file does not name are kept (--prune deletes them).");
  return `${lines.join("\n")}\n`;
}

const hasChanges = (plan: Plan) => plan.summary.create + plan.summary.update + plan.summary.delete > 0;

async function readFileArg(path: string | undefined, io: Io): Promise<string> {
  if (!path) throw new CliError(EXIT.usage, `-f FILE is required\n\n${USAGE}`);
  if (path === "-") return io.readStdin();
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (err) {
    throw new CliError(EXIT.error, `error: cannot read ${path}: ${(err as Error).message}`);
  }
}

async function tasksCommand(sub: string | undefined, args: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (err) {
    throw new CliError(EXIT.usage, `${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new CliError(EXIT.usage, `unexpected argument: ${positionals[0]}\n\n${USAGE}`);
  const allowed: Record<string, string[]> = {
    export: ["output", "ids", "tag"],
    plan: ["file", "prune", "exit-code", "json"],
    apply: ["file", "prune", "yes", "json"],
  };
  if (!sub || !(sub in allowed)) throw new CliError(EXIT.usage, USAGE);
  for (const key of Object.keys(values)) {
    if (!allowed[sub]?.includes(key))
      throw new CliError(EXIT.usage, `--${key} is not an option of tasks ${sub}\n\n${USAGE}`);
  }
  if (values.ids !== undefined && !/^\d+(,\d+)*$/.test(values.ids)) {
    throw new CliError(EXIT.usage, "--ids takes task ids separated by commas, e.g. --ids 3,7,12");
  }

  const baseUrl = io.env.CRONDECK_URL || "http://127.0.0.1:3000";
  const yaml = sub === "export" ? "" : await readFileArg(values.file, io);
  if (sub === "apply" && values.file === "-" && !values.yes) {
    throw new CliError(EXIT.usage, "apply -f - reads the file from standard input, so it cannot ask: add --yes");
  }
  const client = createCrondeckClient({ baseUrl, token: await readToken(io.env) });

  if (sub === "export") {
    const { data } = await call(
      baseUrl,
      client.GET("/api/tasks/export", {
        params: {
          query: { ...(values.ids ? { ids: values.ids } : {}), ...(values.tag?.length ? { tag: values.tag } : {}) },
        },
        parseAs: "text",
      }),
    );
    if (values.output) {
      await writeFile(resolve(io.cwd, values.output), data ?? "");
      io.stderr(`wrote ${values.output}\n`);
    } else io.stdout(data ?? "");
    return EXIT.ok;
  }

  const prune = values.prune ?? false;
  const plan = (await call(baseUrl, client.POST("/api/tasks/plan", { body: { yaml, prune } }))).data;
  if (!plan) throw new CliError(EXIT.error, "error: the server sent no plan");
  if (sub === "plan") {
    io.stdout(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
    return values["exit-code"] && hasChanges(plan) ? EXIT.changes : EXIT.ok;
  }

  if (!values.json) io.stdout(formatPlan(plan));
  if (!hasChanges(plan)) {
    if (values.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
    else io.stdout("Nothing to apply.\n");
    return EXIT.ok;
  }
  if (!values.yes) {
    if (!io.confirm)
      throw new CliError(EXIT.usage, "not a terminal, so apply cannot ask: add --yes to apply this plan");
    if (!(await io.confirm("Apply this plan? Only 'yes' applies: "))) {
      io.stderr("Not applied.\n");
      return EXIT.error;
    }
  }
  const applied = (
    await call(baseUrl, client.POST("/api/tasks/apply", { body: { yaml, prune, fingerprint: plan.fingerprint } }))
  ).data;
  if (!applied) throw new CliError(EXIT.error, "error: the server sent no result");
  const { create, update, delete: removed } = applied.summary;
  io.stdout(
    values.json
      ? `${JSON.stringify(applied, null, 2)}\n`
      : `Applied: ${create} created, ${update} changed, ${removed} deleted.\n`,
  );
  return EXIT.ok;
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: "string", short: "f" },
      output: { type: "string", short: "o" },
      ids: { type: "string" },
      tag: { type: "string", multiple: true },
      prune: { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      "exit-code": { type: "boolean" },
      json: { type: "boolean" },
    },
  });
}

/** Runs one command line; returns the exit code (errors are written to stderr). */
export async function run(argv: string[], io: Io): Promise<number> {
  const [group, sub, ...rest] = argv;
  try {
    if (group === undefined || group === "help" || group === "--help" || group === "-h") {
      io.stdout(`${USAGE}\n`);
      return group === undefined ? EXIT.usage : EXIT.ok;
    }
    if (group !== "tasks") throw new CliError(EXIT.usage, `unknown command: ${group}\n\n${USAGE}`);
    if (sub === "--help" || sub === "-h") {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    return await tasksCommand(sub, rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.error;
  }
}

/** The process's own terminal and streams. */
export function processIo(): Io {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const { env } = process;
  return {
    env,
    // `pnpm crondeck` runs in the repository root: file names are meant from where it was typed.
    cwd: env.npm_lifecycle_event === "crondeck" && env.INIT_CWD ? env.INIT_CWD : process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    confirm: interactive
      ? async (question) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return (await rl.question(question)).trim() === "yes";
          } finally {
            rl.close();
          }
        }
      : null,
  };
}

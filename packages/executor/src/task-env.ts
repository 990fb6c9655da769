import type { AttemptInfo } from "./mode.ts";

/**
 * The variables a SHELL task inherits from the process that runs it. Everything else stays out:
 * Crondeck's own settings (DATABASE_URL, SMTP_URL, ADMIN_PASSWORD …) hold secrets, and a viewer can
 * read any run's output, so `printenv` in a task must not reveal them.
 */
export const TASK_ENV_ALLOW = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "HOSTNAME",
] as const;

/** `LC_ALL`, `LC_CTYPE` …: locale settings change how tools print, never what they may reach. */
const LOCALE = /^LC_[A-Z_]+$/;

/** Operators add names (comma-separated) for their tasks, e.g. `HTTP_PROXY,JAVA_HOME`. */
export const TASK_ENV_EXTRA_VARIABLE = "CRONDECK_TASK_ENV";

/**
 * Never passed, even when listed in CRONDECK_TASK_ENV: Crondeck's own settings and secrets. A
 * `*_FILE` variable names a secret's file, which the task could then read.
 */
const NEVER = /^(ADMIN_(USER|PASSWORD)|DATABASE_URL|NATS_URL|SECRETS_KEY|SMTP_[A-Z_]+|MYSQL_[A-Z_]+|[A-Z0-9_]+_FILE)$/;

const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

/** The allow-listed names that are set in `source`, plus the run's identity. */
export function taskEnvironment(
  req: Omit<AttemptInfo, "env"> & { env?: Record<string, string> },
  source: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const extra = (source[TASK_ENV_EXTRA_VARIABLE] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0 && !NEVER.test(name));
  const allowed = new Set<string>([...TASK_ENV_ALLOW, ...extra]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && (allowed.has(name) || LOCALE.test(name))) env[name] = value;
  }
  env.PATH ??= FALLBACK_PATH;
  // The task's own variables, then the run's identity, which a task cannot override.
  Object.assign(env, req.env);
  env.CRONDECK_TASK_ID = String(req.taskId);
  env.CRONDECK_RUN_ID = String(req.runId);
  env.CRONDECK_SCHEDULED_AT = req.scheduledAt.toISOString();
  env.CRONDECK_ATTEMPT = String(req.attempt);
  return env;
}

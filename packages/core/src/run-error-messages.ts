import type { RunErrorCode } from "./run-errors.ts";

// A run error said in Chinese or English from its code and params: one catalogue for every reader
// (the dashboard's i18n takes it as its `runError.*` messages, notifications word errors with it).
// `{name}` is a param's place.

export type RunErrorLanguage = "en" | "zh";

export const RUN_ERROR_MESSAGES: Record<RunErrorLanguage, Record<RunErrorCode, string>> = {
  en: {
    EXIT_CODE: "exited with code {code}",
    KILLED_BY_SIGNAL: "killed by signal {signal}",
    SPAWN_FAILED: "could not start the shell in {cwd}: {reason}",
    TIMED_OUT: "timed out after {seconds} s",
    CANCELED: "canceled",
    CANCELED_BY_USER: "canceled by a user",
    CANCELED_SHUTDOWN: "canceled: Crondeck was shutting down",
    CANCELED_EXECUTOR_SHUTDOWN: "canceled: the executor was shutting down",
    CANCELED_TASK_CHANGED: "canceled: the task was changed before this slot",
    HTTP_STATUS: "the server answered HTTP {status}",
    HTTP_REDIRECT: "the server answered HTTP {status} (redirect to {location}); redirects are not followed",
    HTTP_CONNECTION_REFUSED: "connection refused by {address}: is the service running?",
    HTTP_HOST_NOT_FOUND: "the host {host} could not be found",
    HTTP_INVALID_URL: "the URL cannot be requested: {reason}",
    HTTP_REQUEST_FAILED: "the request failed: {reason}",
    HTTP_RESPONSE_FAILED: "reading the response (HTTP {status}) failed: {reason}",
    UNKNOWN_MODE: "this executor does not know the mode {mode} (it knows {known})",
    INVALID_REQUEST: "the attempt could not be run: {reason}",
    EXECUTOR_ERROR: "executor error: {reason}",
    WORKER_STOPPED: "the local worker process stopped ({reason}); the run's processes were stopped with it",
    SECRET_MISSING: "the task references a secret that does not exist: {names}",
    SECRETS_DISABLED: "the task references the secret {name}, but the secrets store is off (SECRETS_KEY is not set)",
    NATS_UNREACHABLE: "could not hand the run to NATS: {reason}",
    LOST: "the process running this run stopped answering (it died or lost its database)",
    SKIPPED_FORBID: "skipped: another run of this task was queued or running (concurrency policy FORBID)",
    MISSED_DB_UNREACHABLE: "missed: the database could not be reached when this slot came due ({policy})",
    MISSED_ABANDONED_CLAIM: "missed: claimed while the database was failing, and never started",
    MISSED_OWNER_STOPPED:
      "missed: {owner} claimed this slot and stopped before running it; found {seconds} s after the slot ({policy})",
    NO_LIVE_EXECUTOR:
      'no executor of group "{group}" started this run within {seconds} s: is an executor of that group running?',
  },
  zh: {
    EXIT_CODE: "退出码为 {code}",
    KILLED_BY_SIGNAL: "被信号 {signal} 终止",
    SPAWN_FAILED: "无法在 {cwd} 中启动 shell：{reason}",
    TIMED_OUT: "运行超过 {seconds} 秒，已超时终止",
    CANCELED: "已取消",
    CANCELED_BY_USER: "已被用户取消",
    CANCELED_SHUTDOWN: "已取消：Crondeck 正在停止",
    CANCELED_EXECUTOR_SHUTDOWN: "已取消：执行器正在停止",
    CANCELED_TASK_CHANGED: "已取消：任务在本次调度前被修改",
    HTTP_STATUS: "服务器返回 HTTP {status}",
    HTTP_REDIRECT: "服务器返回 HTTP {status}（重定向到 {location}）；不会跟随重定向",
    HTTP_CONNECTION_REFUSED: "{address} 拒绝连接：服务是否在运行？",
    HTTP_HOST_NOT_FOUND: "找不到主机 {host}",
    HTTP_INVALID_URL: "无法请求该 URL：{reason}",
    HTTP_REQUEST_FAILED: "请求失败：{reason}",
    HTTP_RESPONSE_FAILED: "读取响应（HTTP {status}）失败：{reason}",
    UNKNOWN_MODE: "该执行器不支持执行方式 {mode}（支持：{known}）",
    INVALID_REQUEST: "无法执行本次运行：{reason}",
    EXECUTOR_ERROR: "执行器错误：{reason}",
    WORKER_STOPPED: "本地工作进程已停止（{reason}），本次运行的进程也随之停止",
    SECRET_MISSING: "任务引用了不存在的密钥：{names}",
    SECRETS_DISABLED: "任务引用了密钥 {name}，但密钥存储未启用（未设置 SECRETS_KEY）",
    NATS_UNREACHABLE: "无法将本次运行交给 NATS：{reason}",
    NO_LIVE_EXECUTOR: "{seconds} 秒内没有分组“{group}”的执行器接手本次运行：该分组的执行器是否在运行？",
    LOST: "运行本次任务的进程失去响应（进程已退出或与数据库失联）",
    SKIPPED_FORBID: "已跳过：该任务已有排队或运行中的执行（并发策略为禁止重叠）",
    MISSED_DB_UNREACHABLE: "已错过：到点时无法连接数据库（{policy}）",
    MISSED_ABANDONED_CLAIM: "已错过：在数据库故障期间被认领，未能启动",
    MISSED_OWNER_STOPPED: "已错过：{owner} 认领了本次调度但在运行前停止；在调度时间 {seconds} 秒后才发现（{policy}）",
  },
};

/** The catalogue of one language as message keys `runError.<CODE>` (the dashboard's i18n). */
export function runErrorMessageKeys(language: RunErrorLanguage): { [C in RunErrorCode as `runError.${C}`]: string } {
  return Object.fromEntries(
    Object.entries(RUN_ERROR_MESSAGES[language]).map(([code, text]) => [`runError.${code}`, text]),
  ) as { [C in RunErrorCode as `runError.${C}`]: string };
}

/**
 * The error in `language` from its code and params; null for a code this version does not know
 * (a newer executor's), whose English `error` text is then all there is.
 */
export function runErrorMessage(
  code: string,
  params: Record<string, string | number> | null | undefined,
  language: RunErrorLanguage,
): string | null {
  const template = (RUN_ERROR_MESSAGES[language] as Record<string, string>)[code];
  if (template === undefined) return null;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params && name in params ? String(params[name]) : whole,
  );
}

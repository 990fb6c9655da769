import type { RunStatus, RunTrigger } from "@crondeck/core";

// Every word a notification says, per language: the formats (email, JSON, DingTalk, WeCom, Feishu,
// Slack) take their text from here and only arrange it, so a language is added or a phrase changed
// in one place. Run data (names, output, errors) is inserted as given.

export const NOTIFY_LANGUAGES = ["zh", "en"] as const;
export type NotifyLanguage = (typeof NOTIFY_LANGUAGES)[number];
/** What a task without its own language, on a server without NOTIFY_LANGUAGE, is told in. */
export const DEFAULT_NOTIFY_LANGUAGE: NotifyLanguage = "en";

export function isNotifyLanguage(value: unknown): value is NotifyLanguage {
  return typeof value === "string" && (NOTIFY_LANGUAGES as readonly string[]).includes(value);
}

export interface MessageCatalogue {
  /** What happened, as a verb phrase after the task's name ("failed", "执行失败"). */
  outcome: Record<RunStatus, string>;
  /** The status on its own, as the Status row shows it. */
  status: Record<RunStatus, string>;
  trigger: Record<RunTrigger, string>;
  /** `[Crondeck] <task> <outcome>`: "Crondeck" doubles as a chat robot's security keyword. */
  title(task: string, outcome: string): string;
  titleKeywords(task: string, outcome: string, keywords: string): string;
  testTitle(task: string): string;
  /** One sentence saying what happened, first in every message. */
  summary(parts: { task: string; outcome: string; attempt: string | null; result: string | null }): string;
  summaryKeywords(keywords: string): string;
  testIntro: string;
  attempt(n: number, of: number | null): string;
  exitCode(code: number): string;
  httpStatus(status: number): string;
  labels: {
    task: string;
    status: string;
    attempt: string;
    trigger: string;
    scheduled: string;
    started: string;
    finished: string;
    duration: string;
    result: string;
    executor: string;
    keywords: string;
    error: string;
    output: string;
    outputTail: string;
    outputEmailTail: string;
    run: string;
  };
  noOutput: string;
  viewRun: string;
  /** The made-up run of a test message. */
  sample: { taskName: string; output: string; keywordLine: string; error: string };
  /** Joins a list (keywords) the way the language does. */
  listSeparator: string;
  /** Between two sentences: a space in English, nothing in Chinese. */
  sentenceGap: string;
  duration: { ms: string; s: string; min: string; h: string };
}

const en: MessageCatalogue = {
  outcome: {
    QUEUED: "is queued",
    RUNNING: "is running",
    SUCCEEDED: "succeeded",
    FAILED: "failed",
    TIMED_OUT: "timed out",
    CANCELED: "was canceled",
    SKIPPED: "was skipped",
    LOST: "was lost (its executor stopped answering)",
  },
  status: {
    QUEUED: "Queued",
    RUNNING: "Running",
    SUCCEEDED: "Succeeded",
    FAILED: "Failed",
    TIMED_OUT: "Timed out",
    CANCELED: "Canceled",
    SKIPPED: "Skipped",
    LOST: "Lost",
  },
  trigger: { SCHEDULE: "Schedule", MANUAL: "Manual", RETRY: "Retry", DEPENDENCY: "Dependency" },
  title: (task, outcome) => `[Crondeck] ${task} ${outcome}`,
  titleKeywords: (task, outcome, keywords) => `[Crondeck] ${task} ${outcome}, keyword matched: ${keywords}`,
  testTitle: (task) => `[Crondeck] Test message for ${task}`,
  summary: ({ task, outcome, attempt, result }) =>
    `Task “${task}” ${outcome}${attempt ? ` on attempt ${attempt}` : ""}${result ? ` (${result})` : ""}.`,
  summaryKeywords: (keywords) => `Its output contains the keyword${keywords.includes(",") ? "s" : ""} ${keywords}.`,
  testIntro:
    "This is a test message from Crondeck: the notification settings of this task work. The run below is a sample, not a real run.",
  attempt: (n, of) => (of ? `${n} of ${of}` : `${n}`),
  exitCode: (code) => `exit code ${code}`,
  httpStatus: (status) => `HTTP ${status}`,
  labels: {
    task: "Task",
    status: "Status",
    attempt: "Attempt",
    trigger: "Trigger",
    scheduled: "Scheduled for",
    started: "Started",
    finished: "Finished",
    duration: "Duration",
    result: "Result",
    executor: "Executor",
    keywords: "Matched keywords",
    error: "Error",
    output: "Output",
    outputTail: "Output (last part)",
    outputEmailTail: "Output (last 2 KB; earlier output omitted)",
    run: "Run",
  },
  noOutput: "(none)",
  viewRun: "View run in Crondeck",
  sample: {
    taskName: "new task",
    output: "Hello from Crondeck! If you can read this, notifications reach you.",
    keywordLine: "a sample line with this keyword",
    error: "sample error: this is a test, nothing ran",
  },
  listSeparator: ", ",
  sentenceGap: " ",
  duration: { ms: "ms", s: "s", min: "min", h: "h" },
};

const zh: MessageCatalogue = {
  outcome: {
    QUEUED: "排队中",
    RUNNING: "运行中",
    SUCCEEDED: "执行成功",
    FAILED: "执行失败",
    TIMED_OUT: "执行超时",
    CANCELED: "已取消",
    SKIPPED: "已跳过",
    LOST: "执行丢失（执行节点失去响应）",
  },
  status: {
    QUEUED: "排队中",
    RUNNING: "运行中",
    SUCCEEDED: "成功",
    FAILED: "失败",
    TIMED_OUT: "超时",
    CANCELED: "已取消",
    SKIPPED: "已跳过",
    LOST: "丢失",
  },
  trigger: { SCHEDULE: "定时", MANUAL: "手动", RETRY: "重试", DEPENDENCY: "依赖触发" },
  title: (task, outcome) => `[Crondeck] ${task} ${outcome}`,
  titleKeywords: (task, outcome, keywords) => `[Crondeck] ${task} ${outcome}，匹配关键字：${keywords}`,
  testTitle: (task) => `[Crondeck] ${task} 的测试消息`,
  summary: ({ task, outcome, attempt, result }) =>
    `任务“${task}”${attempt ? `${attempt}尝试` : ""}${outcome}${result ? `（${result}）` : ""}。`,
  summaryKeywords: (keywords) => `输出中包含关键字 ${keywords}。`,
  testIntro: "这是一条来自 Crondeck 的测试消息：此任务的通知设置可用。下面的执行记录是示例，并非真实执行。",
  attempt: (n, of) => (of ? `第 ${n} 次（共 ${of} 次）` : `第 ${n} 次`),
  exitCode: (code) => `退出码 ${code}`,
  httpStatus: (status) => `HTTP 状态码 ${status}`,
  labels: {
    task: "任务",
    status: "状态",
    attempt: "尝试",
    trigger: "触发方式",
    scheduled: "计划时间",
    started: "开始时间",
    finished: "结束时间",
    duration: "耗时",
    result: "结果",
    executor: "执行节点",
    keywords: "匹配的关键字",
    error: "错误",
    output: "输出",
    outputTail: "输出（末尾部分）",
    outputEmailTail: "输出（最后 2 KB，之前的输出已省略）",
    run: "执行详情",
  },
  noOutput: "（无）",
  viewRun: "在 Crondeck 中查看本次执行",
  sample: {
    taskName: "新任务",
    output: "来自 Crondeck 的问候！能看到这条消息，说明通知可以送达。",
    keywordLine: "包含此关键字的示例行",
    error: "示例错误：这是测试，并未真正执行",
  },
  listSeparator: "、",
  sentenceGap: "",
  duration: { ms: "毫秒", s: "秒", min: "分", h: "小时" },
};

const CATALOGUES: Record<NotifyLanguage, MessageCatalogue> = { en, zh };

/** The strings of a language; anything unknown reads as the default language. */
export function messagesFor(language: string | null | undefined): MessageCatalogue {
  return CATALOGUES[isNotifyLanguage(language) ? language : DEFAULT_NOTIFY_LANGUAGE];
}

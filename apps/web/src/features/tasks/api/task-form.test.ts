import type { Task } from "@crondeck/api-client";
import { describe, expect, it } from "vitest";
import { META } from "../../../test/meta.ts";
import {
  applicableFields,
  draftOf,
  emptyFormValues,
  formatEnv,
  formValuesFromTask,
  parseEnv,
  savedSecrets,
  toNotificationTestInput,
  toTaskInput,
  validateForm,
} from "./task-form.ts";

// The form's model converts a module's fields by their kind (from GET /api/meta), never by name.

const httpTask = {
  id: 3,
  name: "ping",
  mode: "HTTP",
  httpMethod: "POST",
  cron: "*/5 * * * *",
  timezone: "UTC",
  command: "https://example.com/ping",
  httpHeaders: { Authorization: "***", "X-Env": "prod" },
  httpBody: '{"a":1}',
  executorGroup: "default",
  timeoutSeconds: 60,
  retryCount: 0,
  retryIntervalSeconds: 60,
  concurrencyPolicy: "FORBID",
  misfirePolicy: "SKIP",
  misfireGraceSeconds: 3600,
  notifyPolicy: "ON_FAILURE",
  notifyChannel: "WEBHOOK",
  notifyEmails: [],
  notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=***",
  notifyWebhookFormat: null,
  notifyWebhookSecretSet: true,
  notifyKeywords: [],
  notifyLanguage: "zh",
  enabled: true,
  remark: "",
} as unknown as Task;

describe("task form model", () => {
  it("reads a task's module fields as text by kind, and sends them back as the API takes them", () => {
    const values = formValuesFromTask(httpTask, META);
    expect(values.fields).toMatchObject({
      httpMethod: "POST",
      command: "https://example.com/ping",
      httpHeaders: "Authorization: ***\nX-Env: prod",
      httpBody: '{"a":1}',
      notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=***",
      notifyWebhookFormat: "",
      notifyEmails: "",
    });
    expect(values.fields).not.toHaveProperty("notifyWebhookSecret");
    expect(savedSecrets(httpTask, META)).toEqual({ notifyWebhookSecret: true });

    const input = toTaskInput(values, META);
    expect(input).toMatchObject({
      mode: "HTTP",
      httpMethod: "POST",
      command: "https://example.com/ping",
      // The mask goes back as it came: the server keeps the stored credential.
      httpHeaders: { Authorization: "***", "X-Env": "prod" },
      httpBody: '{"a":1}',
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=***",
    });
    // "" leaves a field out (the server detects the format); a blank write-only field keeps the saved one.
    expect(input).not.toHaveProperty("notifyWebhookFormat");
    expect(input).not.toHaveProperty("notifyWebhookSecret");
    expect(input).not.toHaveProperty("notifyEmails");
  });

  it("honours showWhen and sends only the chosen mode's and channel's fields", () => {
    const values = formValuesFromTask(httpTask, META);
    const get = { ...values, fields: { ...values.fields, httpMethod: "GET" } };
    expect(applicableFields(get, META).modeFields.map((f) => f.name)).toEqual(["httpMethod", "command", "httpHeaders"]);
    expect(toTaskInput(get, META)).not.toHaveProperty("httpBody");

    const shell = { ...values, mode: "SHELL", notifyPolicy: "NONE" as const };
    const input = toTaskInput(shell, META);
    expect(input).toMatchObject({ mode: "SHELL", command: "https://example.com/ping", notifyChannel: null });
    for (const field of ["httpMethod", "httpHeaders", "httpBody", "notifyWebhookUrl"])
      expect(input).not.toHaveProperty(field);
  });

  it("checks required fields and key/value lines of the shown fields only", () => {
    const blank = { ...emptyFormValues("UTC", META), name: "x", cron: "@daily", notifyPolicy: "ON_END" as const };
    expect(Object.keys(validateForm(blank, META)).sort()).toEqual(["command", "notifyEmails"]);
    const http = {
      ...blank,
      mode: "HTTP",
      fields: { command: "https://x", httpHeaders: "ok: 1\nbad", notifyEmails: "a@b.c" },
    };
    expect(validateForm(http, META)).toEqual({ httpHeaders: { key: "form.badHeader", vars: { line: 2 } } });
  });

  it("sends a typed secret, null when asked to remove it, and never keeps one in a draft", () => {
    const values = formValuesFromTask(httpTask, META);
    const typed = { ...values, secrets: { notifyWebhookSecret: "s3cret" } };
    expect(toNotificationTestInput(typed, META, 3)).toEqual({
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=***",
      notifyWebhookSecret: "s3cret",
      taskId: 3,
      // What the test message describes: the task as the form holds it.
      name: httpTask.name,
      mode: "HTTP",
      timezone: httpTask.timezone,
      retryCount: httpTask.retryCount,
      notifyPolicy: httpTask.notifyPolicy,
      notifyLanguage: "zh",
    });
    expect(JSON.stringify(draftOf(typed))).not.toContain("s3cret");
    expect(toTaskInput({ ...values, clear: { notifyWebhookSecret: true } }, META).notifyWebhookSecret).toBeNull();
  });

  it("reads and sends the notification language; blank is null, the server's default", () => {
    const values = formValuesFromTask(httpTask, META);
    expect(values.notifyLanguage).toBe("zh");
    expect(toTaskInput(values, META).notifyLanguage).toBe("zh");
    expect(toTaskInput({ ...values, notifyLanguage: "" }, META).notifyLanguage).toBeNull();
    expect(formValuesFromTask({ ...httpTask, notifyLanguage: null }, META).notifyLanguage).toBe("");
    expect(emptyFormValues("UTC", META).notifyLanguage).toBe("");
  });

  it("reads the environment as NAME=value lines and always sends it, {} when empty", () => {
    const withEnv = { ...httpTask, env: { GREETING: "hello", TOKEN: `\${secret:TOKEN}` } } as Task;
    const values = formValuesFromTask(withEnv, META);
    expect(values.env).toBe(`GREETING=hello\nTOKEN=\${secret:TOKEN}`);
    expect(toTaskInput(values, META).env).toEqual({ GREETING: "hello", TOKEN: `\${secret:TOKEN}` });
    // Emptying the field clears the saved variables: `env` is sent even then.
    expect(toTaskInput({ ...values, env: "" }, META).env).toEqual({});
    // A task from a server without `env` reads as none.
    expect(formValuesFromTask(httpTask, META).env).toBe("");
  });

  it("names the first bad environment line", () => {
    const values = { ...emptyFormValues("UTC", META), name: "x", cron: "@daily", fields: { command: "true" } };
    expect(validateForm({ ...values, env: "A=1\n\nB=2" }, META)).toEqual({});
    for (const [env, line] of [
      ["A=1\nno equals sign", 2],
      ["=value", 1],
      ["1ABC=x", 1],
      ["A B=x", 1],
      ["A=1\nB=2\nA=3", 3],
    ] as const)
      expect(validateForm({ ...values, env }, META)).toEqual({ env: { key: "form.badEnv", vars: { line } } });
  });
});

describe("environment lines", () => {
  it("keep the value after the first = as typed, and trim the name", () => {
    expect(parseEnv(" URL = https://x/?a=1&b=2 \r\nEMPTY=\n\n  \nLAST=x")).toEqual({
      env: { URL: " https://x/?a=1&b=2 ", EMPTY: "", LAST: "x" },
      badLines: [],
    });
    expect(parseEnv("ok=1\nnot a line\n=x\nok=2").badLines).toEqual([2, 3, 4]);
  });

  it("format back to the same lines", () => {
    const env = { _A1: "x=y", B: "", C: `\${secret:TOKEN} and \${NAME}` };
    expect(formatEnv(env)).toBe(`_A1=x=y\nB=\nC=\${secret:TOKEN} and \${NAME}`);
    expect(parseEnv(formatEnv(env))).toEqual({ env, badLines: [] });
    expect(formatEnv({})).toBe("");
  });
});

describe("task dependencies in the form model", () => {
  it("reads dependsOn and dependsOnAll from a task and always sends them (PUT clears what is left out)", () => {
    const task = {
      ...httpTask,
      dependsOn: [{ taskId: 4, on: "FAILURE" }],
      dependsOnAll: true,
    } as unknown as Task;
    const values = formValuesFromTask(task, META);
    expect(values.dependsOn).toEqual([{ taskId: 4, on: "FAILURE" }]);
    expect(values.dependsOnAll).toBe(true);
    expect(toTaskInput(values, META)).toMatchObject({ dependsOn: [{ taskId: 4, on: "FAILURE" }], dependsOnAll: true });
    const fresh = emptyFormValues("UTC", META);
    expect(toTaskInput(fresh, META)).toMatchObject({ dependsOn: [], dependsOnAll: false });
    // A task as an older server returned it (no dependency fields) reads as none.
    expect(formValuesFromTask(httpTask, META)).toMatchObject({ dependsOn: [], dependsOnAll: false });
  });
});

import { render, screen, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { META } from "../../../test/meta.ts";
import { AsRole } from "../../../test/session.tsx";
import { markSaved } from "../api/saved-flash.ts";
import { TaskDetailPage } from "./TaskDetailPage.tsx";

const task = {
  id: 7,
  name: "db01 backup",
  mode: "SHELL",
  httpMethod: null,
  cron: "0 2 * * *",
  timezone: "UTC",
  command: "/opt/backup.sh",
  httpHeaders: {},
  httpBody: null,
  executorGroup: "db01",
  timeoutSeconds: 60,
  retryCount: 0,
  retryIntervalSeconds: 60,
  concurrencyPolicy: "FORBID",
  misfirePolicy: "SKIP",
  misfireGraceSeconds: 60,
  notifyPolicy: "NEVER",
  notifyChannel: null,
  notifyEmails: [],
  notifyWebhookUrl: null,
  notifyWebhookFormat: null,
  notifyWebhookSecretSet: false,
  notifyKeywords: [],
  env: {},
  enabled: true,
  remark: "",
  createdAt: "2030-01-01T00:00:00.000Z",
  updatedAt: "2030-01-01T00:00:00.000Z",
  nextRunAt: "2030-01-02T02:00:00.000Z",
};

// An HTTP task notifying by webhook: its fields are shown from meta, by kind.
const httpTask = {
  ...task,
  id: 8,
  name: "ping",
  mode: "HTTP",
  httpMethod: "POST",
  command: "https://example.com/ping",
  httpHeaders: { Authorization: "***", "X-Env": "prod" },
  httpBody: '{"a":1}',
  notifyPolicy: "ON_FAILURE",
  notifyChannel: "WEBHOOK",
  notifyWebhookUrl: "https://oapi.dingtalk.com/robot/send?access_token=***",
  notifyWebhookFormat: null,
  notifyWebhookSecretSet: true,
  env: { REGION: "eu", TOKEN: `\${secret:API_TOKEN}` },
};

// A task that runs after two others, with ALL, and starts a third.
const dependentTask = {
  ...task,
  id: 9,
  name: "load",
  dependsOn: [
    { taskId: 7, on: "SUCCESS" },
    { taskId: 8, on: "END" },
  ],
  dependsOnAll: true,
};

let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method === "GET" && url === "/api/tasks/7") return { status: 200, body: task };
    if (method === "GET" && url === "/api/tasks/8") return { status: 200, body: httpTask };
    if (method === "GET" && url === "/api/tasks/9") return { status: 200, body: dependentTask };
    if (method === "GET" && url === "/api/tasks/9/dependencies")
      return {
        status: 200,
        body: {
          upstream: [
            { taskId: 7, name: "db01 backup", on: "SUCCESS", enabled: true },
            { taskId: 8, name: "ping", on: "END", enabled: false },
          ],
          downstream: [{ taskId: 11, name: "report", on: "FAILURE", enabled: true }],
        },
      };
    if (method === "GET" && url === "/api/meta") return { status: 200, body: META };
    if (method === "GET" && /^\/api\/tasks\/[789]\/runs/.test(url))
      return { status: 200, body: { items: [], total: 0, page: 1, pageSize: 20 } };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

describe("task page right after saving", () => {
  it("says, in the user's language, that no live executor serves the task's group", async () => {
    const warning = {
      code: "NO_LIVE_EXECUTOR" as const,
      message: 'no live executor serves group "db01" now',
      params: { group: "db01", seconds: 60 },
    };
    markSaved(7, true, [warning]);
    const zh = render(
      <AsRole signedInAs="admin" lang="zh">
        <TaskDetailPage id={7} />
      </AsRole>,
    );
    expect(await screen.findByText(/当前没有在线的执行器服务于分组“db01”.*60 秒/)).toBeTruthy();
    zh.unmount();
    // After an edit, in English, next to "Saved."
    markSaved(7, false, [warning]);
    render(
      <AsRole signedInAs="admin" lang="en">
        <TaskDetailPage id={7} />
      </AsRole>,
    );
    expect(await screen.findByText(/No live executor serves group "db01" now: its runs wait 60 s/)).toBeTruthy();
    expect(screen.getByText("Saved.")).toBeTruthy();
  });
});

describe("task settings", () => {
  it("shows the mode's and channel's fields from meta, in the reader's language", async () => {
    render(
      <AsRole signedInAs="viewer" lang="zh">
        <TaskDetailPage id={8} />
      </AsRole>,
    );
    const settings = await screen.findByTestId("task-settings");
    await waitFor(() => expect(settings.textContent).toContain("请求方法POST"));
    const text = settings.textContent ?? "";
    for (const part of [
      "URLhttps://example.com/ping",
      "请求头Authorization: ***\nX-Env: prod",
      '请求体{"a":1}',
      "Webhook 地址https://oapi.dingtalk.com/robot/send?access_token=***",
      "消息格式根据 URL 自动识别",
      "签名密钥已设置",
      `环境变量REGION=eu\nTOKEN=\${secret:API_TOKEN}`,
    ])
      expect(text).toContain(part);
  });

  it("shows no environment as none", async () => {
    render(
      <AsRole signedInAs="viewer" lang="en">
        <TaskDetailPage id={7} />
      </AsRole>,
    );
    const settings = await screen.findByTestId("task-settings");
    await waitFor(() => expect(settings.textContent).toContain("Environmentnone"));
    expect(screen.queryByTestId("detail-env")).toBeNull();
  });
});

describe("task dependencies", () => {
  it("links the upstream and downstream tasks with what each waits for, in English and Chinese", async () => {
    const en = render(
      <AsRole signedInAs="viewer" lang="en">
        <TaskDetailPage id={9} />
      </AsRole>,
    );
    const upstream = await screen.findByTestId("task-upstream");
    expect(upstream.textContent).toContain("db01 backup — when it succeeded");
    expect(upstream.textContent).toContain("ping — when it ended (any result) (disabled)");
    const links = [...upstream.querySelectorAll("a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual(["/tasks/7", "/tasks/8"]);
    const downstream = screen.getByTestId("task-downstream");
    expect(downstream.textContent).toContain("report — when this task failed");
    expect(downstream.querySelector("a")?.getAttribute("href")).toBe("/tasks/11");
    expect(screen.getByText("Once all of them ended as required for the same scheduled time.")).toBeTruthy();
    en.unmount();

    render(
      <AsRole signedInAs="viewer" lang="zh">
        <TaskDetailPage id={9} />
      </AsRole>,
    );
    expect((await screen.findByTestId("task-upstream")).textContent).toContain("db01 backup — 该任务成功时");
    expect(screen.getByTestId("task-downstream").textContent).toContain("report — 本任务失败时");
    expect(screen.getByText("依赖关系")).toBeTruthy();
  });

  it("shows no dependencies card for a task without any", async () => {
    render(
      <AsRole signedInAs="viewer" lang="en">
        <TaskDetailPage id={7} />
      </AsRole>,
    );
    await screen.findByTestId("task-settings");
    expect(screen.queryByTestId("task-upstream")).toBeNull();
  });
});

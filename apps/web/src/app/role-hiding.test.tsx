import { render, screen, within } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunPage } from "../features/runs/components/RunPage.tsx";
import { TaskDetailPage } from "../features/tasks/components/TaskDetailPage.tsx";
import { TasksListPage } from "../features/tasks/components/TasksListPage.tsx";
import { setApiBaseUrl } from "../lib/api-client.ts";
import type { Role } from "../lib/permissions.ts";
import { startApiServer } from "../test/api-server.ts";
import { META } from "../test/meta.ts";
import { AsRole } from "../test/session.tsx";
import { Layout } from "./Layout.tsx";

// What each role is offered. The server refuses the rest anyway; this checks the UI does not
// offer buttons that can only fail.

const task = {
  id: 1,
  name: "backup",
  mode: "SHELL",
  httpMethod: null,
  cron: "0 2 * * *",
  timezone: "UTC",
  command: "true",
  httpHeaders: {},
  httpBody: null,
  executorGroup: "default",
  timeoutSeconds: 60,
  retryCount: 0,
  retryIntervalSeconds: 60,
  concurrencyPolicy: "FORBID",
  misfirePolicy: "SKIP",
  misfireGraceSeconds: 3600,
  notifyPolicy: "NONE",
  notifyChannel: null,
  notifyEmails: [],
  notifyWebhookUrl: null,
  notifyWebhookFormat: null,
  notifyWebhookSecretSet: false,
  notifyKeywords: [],
  enabled: true,
  remark: "",
  createdAt: "2029-01-01T00:00:00.000Z",
  updatedAt: "2029-01-01T00:00:00.000Z",
  nextRunAt: "2030-01-01T02:00:00.000Z",
  lastRun: null,
};

const run = {
  id: 5,
  taskId: 1,
  trigger: "MANUAL",
  scheduledAt: "2029-06-01T00:00:00.000Z",
  attempt: 1,
  status: "RUNNING",
  startedAt: "2029-06-01T00:00:00.100Z",
  finishedAt: null,
  durationMs: null,
  exitCode: null,
  httpStatus: null,
  output: "working",
  outputBytes: 7,
  truncated: false,
  error: null,
  executor: "local",
  matchedKeywords: [],
  notifications: [],
};

let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method !== "GET") return undefined;
    if (url.startsWith("/api/tasks/1/runs"))
      return { status: 200, body: { items: [], total: 0, page: 1, pageSize: 20 } };
    if (url === "/api/tasks/1") return { status: 200, body: task };
    if (url.startsWith("/api/tasks")) return { status: 200, body: { items: [task], total: 1, page: 1, pageSize: 20 } };
    if (url === "/api/runs/5") return { status: 200, body: run };
    if (url === "/api/meta") return { status: 200, body: META };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

const offered: Record<Role, { run: boolean; toggle: boolean; write: boolean; audit: boolean; admin: boolean }> = {
  viewer: { run: false, toggle: false, write: false, audit: false, admin: false },
  operator: { run: true, toggle: true, write: false, audit: false, admin: false },
  admin: { run: true, toggle: true, write: true, audit: true, admin: true },
};

const count = (role: "button" | "link", name: string) => screen.queryAllByRole(role, { name }).length;

describe.each(Object.entries(offered) as [Role, (typeof offered)[Role]][])("signed in as %s", (role, can) => {
  it("the navigation lists the admin pages (users, secrets, audit) for an admin only", () => {
    render(
      <AsRole signedInAs={role}>
        <Layout>page</Layout>
      </AsRole>,
    );
    const nav = within(screen.getByRole("navigation", { name: "Main navigation" }));
    const link = (name: string) => nav.queryAllByRole("link", { name }).length;
    expect(link("API tokens")).toBe(1);
    expect(link("Users")).toBe(can.admin ? 1 : 0);
    expect(link("Secrets")).toBe(can.admin ? 1 : 0);
    expect(link("Audit log")).toBe(can.audit ? 1 : 0);
  });

  it("the task list offers only what the role may do", async () => {
    render(
      <AsRole signedInAs={role}>
        <TasksListPage />
      </AsRole>,
    );
    const toggle = await screen.findByRole("switch", { name: "Enable backup" });
    expect((toggle as HTMLButtonElement).disabled).toBe(!can.toggle);
    expect(count("button", "Run backup now")).toBe(can.run ? 1 : 0);
    expect(count("link", "Edit backup")).toBe(can.write ? 1 : 0);
    expect(count("button", "Delete backup")).toBe(can.write ? 1 : 0);
    expect(count("link", "+ New task")).toBe(can.write ? 1 : 0);
    // Without any action there is no empty Actions column either.
    const headers = within(screen.getByTestId("tasks-table")).getAllByRole("columnheader");
    expect(headers.some((th) => th.textContent === "Actions")).toBe(can.run || can.write);
  });

  it("the task page offers only what the role may do", async () => {
    render(
      <AsRole signedInAs={role}>
        <TaskDetailPage id={1} />
      </AsRole>,
    );
    await screen.findByTestId("task-title");
    expect((screen.getByRole("switch", { name: "Enable backup" }) as HTMLButtonElement).disabled).toBe(!can.toggle);
    expect(count("button", "Run now")).toBe(can.run ? 1 : 0);
    expect(count("link", "Edit")).toBe(can.write ? 1 : 0);
    expect(count("button", "Delete")).toBe(can.write ? 1 : 0);
    expect(count("link", "Audit log")).toBe(can.audit ? 1 : 0);
  });

  it("a running run can be canceled only by an operator or admin", async () => {
    render(
      <AsRole signedInAs={role}>
        <RunPage id={5} />
      </AsRole>,
    );
    await screen.findByTestId("run-status");
    expect(count("button", "Cancel run")).toBe(can.run ? 1 : 0);
  });
});

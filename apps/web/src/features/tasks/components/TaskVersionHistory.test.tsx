import type { Task } from "@crondeck/api-client";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { META } from "../../../test/meta.ts";
import { AsRole } from "../../../test/session.tsx";
import { TaskVersionHistory } from "./TaskVersionHistory.tsx";

const task = {
  id: 9,
  name: "nightly",
  mode: "SHELL",
  cron: "0 4 * * *",
  timezone: "UTC",
  command: "echo hi",
  enabled: true,
  createdAt: "2030-01-01T00:00:00.000Z",
  updatedAt: "2030-01-03T00:00:00.000Z",
} as unknown as Task;

const actor = (name: string, via: "session" | "token" | null) => ({ userId: 1, name, via, tokenId: null });
const versions = {
  items: [
    {
      version: 3,
      createdAt: "2030-01-03T00:00:00.000Z",
      action: "update",
      actor: actor("alice", "session"),
      changedFields: ["cron", "notifyWebhookSecret"],
    },
    {
      version: 2,
      createdAt: "2030-01-02T00:00:00.000Z",
      action: "bulk",
      actor: actor("ci", "token"),
      changedFields: ["enabled"],
    },
    {
      version: 1,
      createdAt: "2030-01-01T00:00:00.000Z",
      action: "create",
      actor: actor("alice", "session"),
      changedFields: [],
    },
  ],
  total: 3,
  page: 1,
  pageSize: 10,
};
const diff3 = [
  { field: "cron", before: "0 3 * * *", after: "0 4 * * *" },
  { field: "notifyWebhookSecret", secret: true },
];

let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method === "GET" && url === "/api/meta") return { status: 200, body: META };
    if (method === "GET" && url.startsWith("/api/tasks/9/versions?")) return { status: 200, body: versions };
    if (method === "GET" && url === "/api/tasks/9/versions/3/diff") return { status: 200, body: diff3 };
    if (method === "POST" && url === "/api/tasks/9/versions/1/revert")
      return { status: 200, body: { version: 4, task: { ...task, updatedAt: "2030-01-04T00:00:00.000Z" } } };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

describe("task history", () => {
  it("lists versions, shows a version's changes with secrets hidden, and reverts after a confirmation (en)", async () => {
    render(
      <AsRole signedInAs="admin" lang="en">
        <TaskVersionHistory task={task} />
      </AsRole>,
    );
    const table = await screen.findByTestId("history-table");
    const text = table.textContent ?? "";
    for (const part of ["#3", "alice", "Edited", "Cron expression", "ci (API token)", "Bulk action", "first version"])
      expect(text).toContain(part);
    // The newest version is the task as it is: nothing to revert to.
    expect(screen.queryByTestId("history-revert-3")).toBeNull();

    fireEvent.click(screen.getByTestId("history-diff-3"));
    const diff = await screen.findByTestId("history-diff-table");
    expect(diff.textContent).toContain("0 3 * * *");
    expect(diff.textContent).toContain("0 4 * * *");
    expect(diff.textContent).toContain("changed (hidden)");

    fireEvent.click(screen.getByTestId("history-revert-1"));
    expect(await screen.findByText("Revert to version 1?")).toBeTruthy();
    fireEvent.click(screen.getByTestId("confirm-button"));
    expect(await screen.findByText("Reverted to version 1; saved as version 4.")).toBeTruthy();
    expect(server.requests.some((r) => r.method === "POST" && r.url === "/api/tasks/9/versions/1/revert")).toBe(true);
  });

  it("speaks Chinese and offers no revert to those who cannot edit (zh)", async () => {
    render(
      <AsRole signedInAs="operator" lang="zh">
        <TaskVersionHistory task={task} />
      </AsRole>,
    );
    const table = await screen.findByTestId("history-table");
    await waitFor(() => expect(table.textContent).toContain("编辑"));
    expect(table.textContent).toContain("ci（API 令牌）");
    expect(table.textContent).toContain("批量操作");
    expect(within(table).queryByText("回滚")).toBeNull();
    expect(screen.getByRole("heading", { name: "修改历史" })).toBeTruthy();
  });
});

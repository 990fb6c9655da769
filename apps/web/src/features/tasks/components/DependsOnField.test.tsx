import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { ApiError, setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { META } from "../../../test/meta.ts";
import { emptyFormValues } from "../api/task-form.ts";
import { TaskForm } from "./TaskForm.tsx";

// The task form's upstream picker: tasks found by name through the task list API, each with the
// outcome it waits for, and the ALL switch; the server's refusals shown at the field.

const tasks = [
  { id: 3, name: "extract" },
  { id: 4, name: "extract-eu" },
  { id: 9, name: "load" },
];

/** The search answers through a real server; jsdom on a busy machine takes its time. */
const SLOW = { timeout: 10_000 };

let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method === "GET" && url === "/api/meta") return { status: 200, body: META };
    if (method === "GET" && url === "/api/settings") return { status: 200, body: { timezone: "UTC" } };
    if (method === "GET" && url.startsWith("/api/tasks?")) {
      const q = new URL(url, "http://x").searchParams.get("q") ?? "";
      const items = tasks.filter((t) => t.name.includes(q));
      return { status: 200, body: { items, total: items.length, page: 1, pageSize: 8 } };
    }
    if (method === "GET" && url === "/api/tasks/9/dependencies")
      return {
        status: 200,
        body: { upstream: [{ taskId: 3, name: "extract", on: "FAILURE", enabled: true }], downstream: [] },
      };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

describe("upstream tasks in the task form", () => {
  it("finds tasks by name, adds them with an outcome and the ALL switch, and sends them", async () => {
    let sent: Record<string, unknown> | null = null;
    render(
      <AppProviders lang="en">
        <TaskForm
          initial={{ ...emptyFormValues("UTC", META), name: "report", cron: "0 3 * * *", fields: { command: "true" } }}
          meta={META}
          submitLabel="Create task"
          onSubmit={(input) => {
            sent = input;
          }}
        />
      </AppProviders>,
    );
    fireEvent.change(screen.getByRole("searchbox", { name: "Runs after" }), { target: { value: "extract" } });
    fireEvent.click(await screen.findByRole("button", { name: "Add extract-eu" }, SLOW));
    fireEvent.change(screen.getByRole("searchbox", { name: "Runs after" }), { target: { value: "extract" } });
    // A task already chosen is not offered again.
    fireEvent.click(await screen.findByRole("button", { name: "Add extract" }, SLOW));
    expect(screen.queryByRole("button", { name: "Add extract-eu" })).toBeNull();
    fireEvent.change(screen.getByLabelText("When extract ends"), { target: { value: "END" } });
    fireEvent.click(screen.getByLabelText("Only once all of them ended as chosen for the same scheduled time"));
    fireEvent.click(screen.getByRole("button", { name: "Remove extract-eu" }));
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    await waitFor(() => expect(sent).not.toBeNull());
    expect(sent).toMatchObject({ dependsOn: [{ taskId: 3, on: "END" }], dependsOnAll: true });
  });

  it("shows a task's saved upstreams by name, never offers the task itself, and words a cycle in Chinese", async () => {
    const cycle = new ApiError(400, "VALIDATION_FAILED", "dependsOn[0].taskId: would make a dependency cycle", [
      {
        field: "dependsOn[0].taskId",
        message: "would make a dependency cycle: load → extract → load",
        code: "DEPENDENCY_CYCLE",
        params: { path: "load → extract → load" },
      },
    ]);
    render(
      <AppProviders lang="zh">
        <TaskForm
          initial={{
            ...emptyFormValues("UTC", META),
            name: "load",
            cron: "0 3 * * *",
            fields: { command: "true" },
            dependsOn: [{ taskId: 3, on: "FAILURE" }],
          }}
          meta={META}
          taskId={9}
          submitLabel="保存"
          saveError={cycle}
          onSubmit={() => {}}
        />
      </AppProviders>,
    );
    expect(await screen.findByText("extract", {}, SLOW)).toBeTruthy();
    expect((screen.getByLabelText("extract 结束时") as HTMLSelectElement).value).toBe("FAILURE");
    expect(screen.getByTestId("error-task-dependsOn").textContent).toContain("会形成循环依赖：load → extract → load");
    fireEvent.change(screen.getByRole("searchbox", { name: "上游任务" }), { target: { value: "a" } });
    // "load" is the task itself and "extract" is chosen: only extract-eu is offered.
    expect(await screen.findByRole("button", { name: "添加 extract-eu" }, SLOW)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "添加 load" })).toBeNull();
  });
});

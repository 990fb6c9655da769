import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { AsRole } from "../../../test/session.tsx";
import { TasksListPage } from "./TasksListPage.tsx";

const task = {
  id: 1,
  name: "backup",
  mode: "SHELL",
  httpMethod: null,
  cron: "0 2 * * *",
  timezone: "UTC",
  command: "true",
  enabled: true,
  remark: "",
  nextRunAt: "2030-01-01T02:00:00.000Z",
  lastRun: { id: 9, status: "FAILED", finishedAt: "2029-12-31T02:00:01.000Z" },
};

let releasePatch: () => void = () => {};
let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(async ({ method, url }) => {
    if (method === "GET" && url.startsWith("/api/tasks"))
      return { status: 200, body: { items: [task], total: 1, page: 1, pageSize: 20 } };
    if (method === "PATCH" && url === "/api/tasks/1") {
      // Held until the test has looked at the optimistic state.
      await new Promise<void>((resolve) => {
        releasePatch = resolve;
      });
      return {
        status: 409,
        body: { statusCode: 409, error: "Conflict", message: "task is locked", code: "LOCKED" },
      };
    }
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

describe("tasks list", () => {
  it("flips the enabled switch at once and puts it back when the server refuses", async () => {
    render(
      <AsRole signedInAs="operator">
        <TasksListPage />
      </AsRole>,
    );
    const toggle = await screen.findByRole("switch", { name: "Enable backup" });
    expect(toggle.getAttribute("aria-checked")).toBe("true");
    expect(screen.getByTestId("next-run").querySelector("time")).not.toBeNull();
    expect(screen.getByTestId("status-badge").getAttribute("data-status")).toBe("FAILED");

    fireEvent.click(toggle);
    await waitFor(() => expect(toggle.getAttribute("aria-checked")).toBe("false"));
    expect(screen.getByTestId("next-run").querySelector("time")).toBeNull();
    await waitFor(() => expect(server.requests.some((r) => r.method === "PATCH")).toBe(true));
    expect(server.requests.find((r) => r.method === "PATCH")?.body).toEqual({ enabled: false });

    releasePatch();
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("task is locked"));
    expect(screen.getByRole("switch", { name: "Enable backup" }).getAttribute("aria-checked")).toBe("true");
    expect(screen.getByTestId("next-run").querySelector("time")).not.toBeNull();
  });
});

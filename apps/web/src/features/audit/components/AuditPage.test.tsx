import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { AuditPage } from "./AuditPage.tsx";

const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
const entry = {
  id: 12,
  at: "2029-01-01T00:00:00.000Z",
  actorId: 1,
  actorName: payload,
  action: "task.update",
  targetType: "task",
  targetId: 5,
  taskId: 5,
  before: JSON.stringify({ name: "plain", remark: "" }),
  after: JSON.stringify({ name: payload, remark: "" }),
  ip: "127.0.0.1",
  via: "token",
  tokenId: 7,
};

let server: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method === "GET" && url.startsWith("/api/audit"))
      return { status: 200, body: { items: [entry], total: 1, page: 1, pageSize: 20 } };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

describe("audit log page", () => {
  it("shows who did what and the changed fields as text, and filters by task id in the address", async () => {
    window.history.replaceState(null, "", "/audit");
    render(
      <AppProviders lang="en">
        <AuditPage />
      </AppProviders>,
    );
    const table = await screen.findByTestId("audit-table");
    expect(table.textContent).toContain(payload);
    expect(screen.getByTestId("audit-diff").textContent).toBe(`- name: "plain"\n+ name: ${JSON.stringify(payload)}\n`);
    expect(screen.getByText("1 other fields unchanged.")).not.toBeNull();
    expect(table.querySelector("img, script")).toBeNull();
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
    expect(screen.getByTestId("audit-via").textContent).toBe("API token #7");
    expect(screen.getByRole("link", { name: "Task #5" }).getAttribute("href")).toBe("/tasks/5");

    const input = screen.getByLabelText("Task id");
    fireEvent.change(input, { target: { value: "abc" } });
    fireEvent.click(screen.getByRole("button", { name: "Filter" }));
    expect(screen.getByRole("alert").textContent).toBe("A task id is a whole number.");
    fireEvent.change(input, { target: { value: "5" } });
    fireEvent.click(screen.getByRole("button", { name: "Filter" }));
    await waitFor(() => expect(window.location.search).toBe("?taskId=5"));
    await waitFor(() => expect(server.requests.some((r) => r.url.includes("taskId=5"))).toBe(true));
  });
});

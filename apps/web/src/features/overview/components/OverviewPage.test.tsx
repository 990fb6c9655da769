import { render, screen, within } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { OverviewPage } from "./OverviewPage.tsx";

let stats: unknown = null;
let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ url }) => {
    if (url === "/api/stats") return stats ? { status: 200, body: stats } : undefined;
    if (url.startsWith("/api/tasks")) {
      const enabledOnly = url.includes("enabled=true");
      return {
        status: 200,
        body: {
          items: enabledOnly ? [{ id: 7, name: "backup", nextRunAt: "2030-01-01T02:00:00.000Z" }] : [],
          total: enabledOnly ? 1 : 3,
          page: 1,
          pageSize: 1,
        },
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

const renderOverview = () =>
  render(
    <AppProviders lang="en">
      <OverviewPage />
    </AppProviders>,
  );

describe("overview", () => {
  it("draws runs by outcome as SVG bars and lists failing tasks and executors", async () => {
    stats = {
      tasks: { total: 5, enabled: 4 },
      runsByStatus24h: { SUCCEEDED: 9, FAILED: 2, TIMED_OUT: 1 },
      runsByHour24h: [
        { start: "2030-01-01T00:00:00.000Z", counts: { SUCCEEDED: 4, FAILED: 1, RUNNING: 0 } },
        { start: "2030-01-01T01:00:00.000Z", counts: { SUCCEEDED: 5, FAILED: 1, TIMED_OUT: 1 } },
      ],
      // The flat form is read too.
      runsByDay7d: [{ day: "2030-01-01T00:00:00.000Z", SUCCEEDED: 9, FAILED: 2, TIMED_OUT: 1 }],
      failingTasks: [{ id: 3, name: "sync-orders", status: "TIMED_OUT", lastRunAt: "2030-01-01T01:00:00.000Z" }],
      upcoming: [],
      executors: [
        {
          name: "vm-1:42",
          host: "vm-1",
          groups: ["*"],
          mode: "in-process",
          running: 1,
          alive: true,
          lastSeenAt: "2030-01-01T01:00:00.000Z",
        },
        {
          name: "etl-7",
          host: "vm-2",
          groups: ["default", "etl"],
          mode: "nats",
          running: 0,
          alive: false,
          lastSeenAt: "2030-01-01T00:00:00.000Z",
        },
      ],
    };
    renderOverview();
    const hourly = await screen.findByTestId("chart-24h");
    expect(within(hourly).getByRole("img").getAttribute("aria-label")).toBe("Runs by hour, last 24 hours: 12 runs");
    expect(hourly.querySelectorAll("rect.fill-SUCCEEDED")).toHaveLength(2);
    expect(hourly.querySelectorAll("rect.fill-TIMED_OUT")).toHaveLength(1);
    expect(
      within(hourly)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["Succeeded", "Failed", "Timed out"]);
    expect(screen.getByTestId("stat-failed").textContent).toContain("3");
    expect(within(screen.getByTestId("failing")).getByRole("link", { name: "sync-orders" }).getAttribute("href")).toBe(
      "/tasks/3",
    );
    expect(within(screen.getByTestId("upcoming")).getByText("Nothing is scheduled.")).not.toBeNull();
    const chart7d = screen.getByTestId("chart-7d");
    expect(chart7d.querySelectorAll("rect.fill-SUCCEEDED")).toHaveLength(1);
    expect(within(screen.getByTestId("failing")).getByTestId("status-badge").textContent).toBe("Timed out");
    const executors = within(screen.getByTestId("executors-table")).getAllByRole("row");
    expect(executors[1]?.textContent).toContain("all groups");
    expect(executors[1]?.textContent).toContain("Online");
    expect(executors[2]?.textContent).toContain("default, etl");
    expect(executors[2]?.textContent).toContain("Not seen lately");
    expect(executors[1]?.textContent).toContain("app (runs attempts)");
    expect(executors[2]?.textContent).toContain("executor (NATS)");
  });

  it("shows what it can when the server has no stats yet", async () => {
    stats = null;
    renderOverview();
    await screen.findByRole("link", { name: "backup" });
    expect(screen.getByTestId("stat-tasks").textContent).toContain("3");
    expect(screen.getByTestId("stat-tasks").textContent).toContain("1 enabled");
    expect(screen.queryByTestId("chart-24h")).toBeNull();
    expect(screen.getAllByText("Not available yet.").length).toBeGreaterThan(0);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

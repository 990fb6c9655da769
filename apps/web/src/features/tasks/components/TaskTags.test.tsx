import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { navigate } from "../../../lib/router.tsx";
import { startApiServer } from "../../../test/api-server.ts";
import { AsRole } from "../../../test/session.tsx";
import { TagInput } from "./TagInput.tsx";
import { TasksListPage } from "./TasksListPage.tsx";

// Tags in the dashboard: chips in the list that filter by their tag, the tag and owner filters kept
// in the address and sent to the API, and the form's tag input.

const task = (id: number, name: string, tags: string[], owner = "") => ({
  id,
  name,
  mode: "SHELL",
  cron: "0 2 * * *",
  timezone: "UTC",
  command: "true",
  enabled: true,
  remark: "",
  owner,
  tags,
  nextRunAt: "2030-01-01T02:00:00.000Z",
  lastRun: null,
});

let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method === "GET" && url === "/api/tags")
      return {
        status: 200,
        body: [
          { tag: "db", count: 1 },
          { tag: "prod", count: 2 },
        ],
      };
    if (method === "GET" && url.startsWith("/api/tasks")) {
      const query = new URL(url, "http://x").searchParams;
      const all = [task(1, "backup", ["prod", "db"], "ops"), task(2, "report", ["prod"])];
      const tags = query.getAll("tag");
      const items = all.filter((t) => tags.every((tag) => t.tags.includes(tag)));
      return { status: 200, body: { items, total: items.length, page: 1, pageSize: 20 } };
    }
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});
afterEach(() => {
  cleanup();
  navigate("/tasks", { replace: true });
  server.requests.length = 0;
});

// The machine may be busy: give the first render time.
const SLOW = { timeout: 15_000 };

const listRequests = () =>
  server.requests.filter((r) => r.method === "GET" && r.url.startsWith("/api/tasks")).map((r) => r.url);

describe("task tags in the list", () => {
  it("shows tags as chips; a click filters by the tag, in the address and the request, and × removes it", {
    timeout: 60_000,
  }, async () => {
    navigate("/tasks", { replace: true });
    render(
      <AsRole signedInAs="viewer">
        <TasksListPage />
      </AsRole>,
    );
    const row = await screen.findByTestId("task-row-1", {}, SLOW);
    expect(
      within(row)
        .getAllByTestId("tag-chip")
        .map((chip) => chip.textContent),
    ).toEqual(["prod", "db"]);
    expect(within(row).getByTestId("task-owner").textContent).toBe("Owner: ops");

    fireEvent.click(within(row).getByRole("button", { name: "Show tasks tagged db" }));
    await waitFor(() => expect(window.location.search).toBe("?tag=db"));
    await waitFor(() => expect(listRequests().some((url) => url.includes("tag=db"))).toBe(true));
    await waitFor(() => expect(screen.queryByTestId("task-row-2")).toBeNull());

    // A second tag from the filter's list of tags in use: both are required.
    const picker = screen.getByTestId("filter-tag") as HTMLSelectElement;
    await waitFor(() => expect(picker.querySelectorAll("option")).toHaveLength(2));
    expect(picker.querySelector("option[value='prod']")?.textContent).toBe("prod (2)");
    fireEvent.change(picker, { target: { value: "prod" } });
    await waitFor(() => expect(window.location.search).toBe("?tag=db&tag=prod"));
    await waitFor(() => expect(listRequests().some((url) => url.includes("tag=db&tag=prod"))).toBe(true));

    const active = screen.getByTestId("active-tag-filters");
    fireEvent.click(within(active).getByRole("button", { name: "Stop filtering by tag db" }));
    await waitFor(() => expect(window.location.search).toBe("?tag=prod"));
    expect(await screen.findByTestId("task-row-2", {}, SLOW)).toBeTruthy();
  });

  it("reads the filters from the address and sends the owner filter typed, in Chinese too", {
    timeout: 60_000,
  }, async () => {
    navigate("/tasks?tag=prod&owner=ops", { replace: true });
    render(
      <AsRole signedInAs="viewer" lang="zh">
        <TasksListPage />
      </AsRole>,
    );
    await screen.findByTestId("task-row-1", {}, SLOW);
    expect(listRequests().some((url) => url.includes("tag=prod") && url.includes("owner=ops"))).toBe(true);
    expect(screen.getByRole("button", { name: "取消按标签 prod 筛选" })).toBeTruthy();
    expect(within(screen.getByTestId("task-row-1")).getByRole("button", { name: "只看带标签 db 的任务" })).toBeTruthy();
    const owner = screen.getByTestId("filter-owner") as HTMLInputElement;
    expect(owner.value).toBe("ops");
    fireEvent.change(owner, { target: { value: "运维组" } });
    await waitFor(() => expect(new URLSearchParams(window.location.search).get("owner")).toBe("运维组"));
    await waitFor(() =>
      expect(listRequests().some((url) => url.includes(`owner=${encodeURIComponent("运维组")}`))).toBe(true),
    );
  });
});

function Harness({ initial, seen }: { initial: string[]; seen: string[][] }) {
  return (
    <AsRole signedInAs="admin">
      <TagInput
        id="tags"
        value={initial}
        onChange={(tags) => {
          seen.push(tags);
        }}
      />
    </AsRole>
  );
}

describe("the tag input", () => {
  it("adds on Enter, space and comma, drops repeats ignoring case, refuses bad tags with a message", () => {
    const seen: string[][] = [];
    render(<Harness initial={["Prod"]} seen={seen} />);
    const box = screen.getByRole("textbox");
    fireEvent.change(box, { target: { value: "db/backup" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(seen.at(-1)).toEqual(["Prod", "db/backup"]);
    fireEvent.change(box, { target: { value: "prod" } });
    fireEvent.keyDown(box, { key: "," });
    expect(seen).toHaveLength(1);
    fireEvent.change(box, { target: { value: "团队:运维" } });
    fireEvent.keyDown(box, { key: " " });
    expect(seen.at(-1)).toEqual(["Prod", "团队:运维"]);
    fireEvent.change(box, { target: { value: "bad!" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(seen).toHaveLength(2);
    expect(screen.getByTestId("tag-input-problem").textContent).toContain("“bad!”");
    expect((box as HTMLInputElement).value).toBe("bad!");
    fireEvent.click(screen.getByRole("button", { name: "Remove tag Prod" }));
    expect(seen.at(-1)).toEqual([]);
  });
});

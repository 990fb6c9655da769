import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../lib/api-client.ts";
import { navigate } from "../lib/router.tsx";
import { startApiServer } from "../test/api-server.ts";
import { App } from "./App.tsx";
import { AppProviders } from "./providers.tsx";

// The whole app against a server that keeps one session: start-up check, login page for any
// 401, return to where the user was, sign-out, and pages the role may not open.

const unauthorized = {
  status: 401,
  body: { statusCode: 401, error: "Unauthorized", code: "UNAUTHORIZED", message: "sign in" },
};
const me = { user: { id: 3, username: "vera", role: "viewer" }, via: "session", csrfToken: "csrf-9" };
let signedIn = false;
let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url }) => {
    if (method === "POST" && url === "/api/auth/login") {
      signedIn = true;
      return { status: 200, body: me };
    }
    if (!signedIn) return unauthorized;
    if (method === "GET" && url === "/api/auth/me") return { status: 200, body: me };
    if (method === "POST" && url === "/api/auth/logout") {
      signedIn = false;
      return { status: 204 };
    }
    if (method === "GET" && url.startsWith("/api/tasks"))
      return { status: 200, body: { items: [], total: 0, page: 1, pageSize: 20 } };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
beforeEach(() => {
  signedIn = false;
  server.requests.length = 0;
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

const here = () => window.location.pathname + window.location.search;

function renderAppAt(path: string) {
  window.history.replaceState(null, "", path);
  return render(
    <AppProviders lang="en">
      <App />
    </AppProviders>,
  );
}

async function signIn() {
  fireEvent.change(await screen.findByLabelText("User name"), { target: { value: "vera" } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: "a long password" } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("signing in and out", () => {
  it("shows the login page when not signed in, then returns to the page asked for", async () => {
    renderAppAt("/tasks?q=x");
    await screen.findByRole("heading", { level: 1, name: "Sign in" });
    await waitFor(() => expect(here()).toBe("/login?next=%2Ftasks%3Fq%3Dx"));
    expect(screen.queryByRole("navigation", { name: "Main navigation" })).toBeNull();

    await signIn();
    await screen.findByRole("heading", { level: 1, name: "Tasks" });
    expect(here()).toBe("/tasks?q=x");
    const menu = screen.getByTestId("user-menu");
    expect(menu.textContent).toContain("vera");
    expect(screen.getByTestId("user-role").textContent).toBe("Viewer");
    // A viewer is not offered the admin pages, and is told why when opening one anyway.
    const nav = screen.getByRole("navigation", { name: "Main navigation" });
    expect(nav.textContent).not.toContain("Users");
    expect(nav.textContent).not.toContain("Audit log");
    expect(nav.textContent).not.toContain("Secrets");
    expect(nav.textContent).toContain("API tokens");
    navigate("/users");
    expect((await screen.findByTestId("forbidden")).textContent).toContain("needs the Admin role");
    expect(server.requests.some((r) => r.url === "/api/users")).toBe(false);
    navigate("/secrets");
    await waitFor(() => expect(screen.getByTestId("forbidden").textContent).toContain("needs the Admin role"));
    expect(server.requests.some((r) => r.url.startsWith("/api/secrets"))).toBe(false);
  });

  it("swaps in the login page when the session ends, and goes back after signing in again", async () => {
    signedIn = true;
    renderAppAt("/tasks");
    await screen.findByRole("heading", { level: 1, name: "Tasks" });
    signedIn = false;
    navigate("/tasks/1");
    await screen.findByTestId("session-expired");
    await waitFor(() => expect(here()).toBe("/login?next=%2Ftasks%2F1"));
    await signIn();
    await waitFor(() => expect(here()).toBe("/tasks/1"));
  });

  it("signs out with the CSRF token and lands on a plain login page", async () => {
    signedIn = true;
    renderAppAt("/tasks");
    await screen.findByRole("heading", { level: 1, name: "Tasks" });
    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { level: 1, name: "Sign in" });
    expect(here()).toBe("/login");
    expect(screen.queryByTestId("session-expired")).toBeNull();
    const logout = server.requests.find((r) => r.url === "/api/auth/logout");
    expect(logout?.headers["x-csrf-token"]).toBe("csrf-9");
  });

  it("never follows a login link to another site", async () => {
    renderAppAt("/login?next=//evil.example/x");
    await signIn();
    await screen.findByRole("heading", { level: 1, name: "Overview" });
    expect(here()).toBe("/");
  });
});

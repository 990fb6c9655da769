import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { SessionProvider } from "../../../lib/session.tsx";
import { startApiServer } from "../../../test/api-server.ts";
import { sessionAs } from "../../../test/session.tsx";
import { UsersPage } from "./UsersPage.tsx";

const at = "2029-01-01T00:00:00.000Z";
const users = [
  { id: 1, username: "me", role: "admin", disabled: false, lastLoginAt: at, createdAt: at },
  { id: 2, username: "bob", role: "viewer", disabled: false, lastLoginAt: null, createdAt: at },
  { id: 3, username: "ops", role: "admin", disabled: false, lastLoginAt: null, createdAt: at },
];
const conflict = (code: string, message: string, field?: string) => ({
  status: 409,
  body: { statusCode: 409, error: "Conflict", code, message, ...(field ? { details: [{ field, message }] } : {}) },
});

let server: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  server = await startApiServer(({ method, url, body }) => {
    if (method === "GET" && url === "/api/users") return { status: 200, body: users };
    if (method === "POST" && url === "/api/users") {
      const input = body as { username: string; role: string };
      if (input.username === "bob") return conflict("USERNAME_TAKEN", "that user name is taken", "username");
      return {
        status: 201,
        body: { id: 9, username: input.username, role: input.role, disabled: false, lastLoginAt: null, createdAt: at },
      };
    }
    if (method === "PATCH" && url === "/api/users/3") return conflict("LAST_ADMIN", "this is the last enabled admin");
    if (method === "PATCH" && url === "/api/users/2")
      return { status: 200, body: { ...users[1], ...(body as object) } };
    if (method === "DELETE" && url === "/api/users/2") return { status: 204 };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

function renderPage() {
  render(
    <AppProviders lang="en">
      <SessionProvider session={sessionAs("admin", "me", 1)}>
        <UsersPage />
      </SessionProvider>
    </AppProviders>,
  );
  return screen.findByTestId("users-table");
}
const writes = () => server.requests.filter((r) => r.method !== "GET");

describe("users page", () => {
  it("creates a user, checking the name and password first and showing a taken name at its field", async () => {
    await renderPage();
    fireEvent.click(screen.getByRole("button", { name: "+ New user" }));
    const dialog = screen.getByRole("dialog", { name: "New user" });
    const field = (label: string) => within(dialog).getByLabelText(label);
    fireEvent.change(field("User name"), { target: { value: "no spaces allowed" } });
    fireEvent.change(field("Password"), { target: { value: "short" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(within(dialog).getByText("Only letters, digits and . _ @ - are allowed")).not.toBeNull();
    expect(within(dialog).getByText("Must be at least 12 characters")).not.toBeNull();
    expect(writes()).toHaveLength(0);

    fireEvent.change(field("User name"), { target: { value: "bob" } });
    fireEvent.change(field("Password"), { target: { value: "twelve chars!" } });
    fireEvent.change(field("Role"), { target: { value: "operator" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create user" }));
    expect(await within(dialog).findByText("That user name is taken.")).not.toBeNull();

    fireEvent.change(field("User name"), { target: { value: "carol" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create user" }));
    await screen.findByText("User “carol” was created.");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(writes().at(-1)?.body).toEqual({ username: "carol", password: "twelve chars!", role: "operator" });
  });

  it("changes a role, and explains why the last admin cannot be demoted", async () => {
    await renderPage();
    fireEvent.change(screen.getByLabelText("Role of bob"), { target: { value: "operator" } });
    await screen.findByText("“bob” is now Operator.");
    expect(writes()[0]).toMatchObject({ method: "PATCH", url: "/api/users/2", body: { role: "operator" } });

    fireEvent.change(screen.getByLabelText("Role of ops"), { target: { value: "viewer" } });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Could not change “ops”: There must always be at least one enabled admin.");
  });

  it("resets a password, and deletes only after confirmation; one's own account is safe from both lock-outs", async () => {
    await renderPage();
    const own = screen.getByTestId("user-row-me");
    expect((within(own).getByRole("button", { name: "Delete me" }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(own).getByRole("button", { name: "Disable me" }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(own).getByLabelText("Role of me") as HTMLSelectElement).disabled).toBe(true);

    fireEvent.click(screen.getByRole("button", { name: "Reset the password of bob" }));
    const reset = screen.getByRole("dialog", { name: "New password for “bob”" });
    fireEvent.change(within(reset).getByLabelText("New password"), { target: { value: "a new long password" } });
    fireEvent.click(within(reset).getByRole("button", { name: "Set password" }));
    await screen.findByText("The password of “bob” was changed.");
    expect(writes()[0]).toMatchObject({
      method: "PATCH",
      url: "/api/users/2",
      body: { password: "a new long password" },
    });

    fireEvent.click(screen.getByRole("button", { name: "Delete bob" }));
    const confirm = screen.getByRole("dialog", { name: "Delete this user?" });
    expect(writes()).toHaveLength(1);
    fireEvent.click(within(confirm).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(writes()[1]).toMatchObject({ method: "DELETE", url: "/api/users/2" });
  });
});

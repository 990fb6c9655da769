import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { AsRole } from "../../../test/session.tsx";
import { SecretsPage } from "./SecretsPage.tsx";

const VALUE = "s3cret-value-never-shown";
const NEW_VALUE = "n3w-value-never-shown";
const at = "2029-01-01T00:00:00.000Z";
let secrets: Record<string, unknown>[] = [];
/** Whether the server answers as one started without SECRETS_KEY. */
let disabled = false;

const refused = (status: number, code: string, message: string, details?: unknown[]) => ({
  status,
  body: { statusCode: status, error: "Error", code, message, ...(details ? { details } : {}) },
});

let server: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  server = await startApiServer(({ method, url, body }) => {
    if (!url.startsWith("/api/secrets")) return undefined;
    if (disabled) return refused(503, "SECRETS_DISABLED", "secrets are disabled: set SECRETS_KEY or SECRETS_KEY_FILE");
    if (method === "GET" && url === "/api/secrets") return { status: 200, body: { items: secrets } };
    if (method === "POST" && url === "/api/secrets") {
      const { name } = body as { name: string };
      if (secrets.some((s) => s.name === name))
        return refused(409, "SECRET_EXISTS", "a secret with this name exists", [
          { field: "name", message: "a secret with this name exists" },
        ]);
      const row = { name, createdAt: at, updatedAt: at, updatedBy: "admin-user" };
      secrets.push(row);
      return { status: 201, body: row };
    }
    if (method === "PUT" && url === "/api/secrets/API_TOKEN") {
      const row = { ...secrets[0], updatedAt: "2029-02-01T00:00:00.000Z", updatedBy: "other-admin" };
      secrets = [row];
      return { status: 200, body: row };
    }
    if (method === "DELETE" && url === "/api/secrets/API_TOKEN") {
      secrets = [];
      return { status: 204 };
    }
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterEach(() => {
  server.requests.length = 0;
  disabled = false;
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

/** Everything on the page a user could read or copy, including input values. */
const pageText = () =>
  document.body.textContent + [...document.querySelectorAll("input")].map((input) => input.value).join(" ");

describe("secrets page", () => {
  it("creates a secret from a password input, lists it without its value, replaces and deletes it", async () => {
    render(
      <AsRole signedInAs="admin">
        <SecretsPage />
      </AsRole>,
    );
    await screen.findByText("No secrets yet.");
    expect(screen.getByText(/Write \$\{secret:NAME\} in a command/)).not.toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "+ New secret" }));
    const form = screen.getByRole("dialog", { name: "New secret" });
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "9LIVES" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create secret" }));
    expect(within(form).getByTestId("error-secret-name").textContent).toContain("only letters, digits and _");
    expect(within(form).getByTestId("error-secret-value").textContent).toBe("Required");
    const value = within(form).getByLabelText("Value") as HTMLInputElement;
    // Shorter values could not be masked in output: the server refuses them, so the form does first.
    fireEvent.change(value, { target: { value: "abc" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create secret" }));
    expect(within(form).getByTestId("error-secret-value").textContent).toBe("must be at least 4 characters");
    expect(server.requests.some((r) => r.method === "POST")).toBe(false);

    expect(value.type).toBe("password");
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: " API_TOKEN " } });
    fireEvent.change(value, { target: { value: VALUE } });
    fireEvent.click(within(form).getByRole("button", { name: "Create secret" }));

    const row = await screen.findByTestId("secret-row-API_TOKEN");
    expect(server.requests.find((r) => r.method === "POST")?.body).toEqual({ name: "API_TOKEN", value: VALUE });
    expect(row.textContent).toContain(`\${secret:API_TOKEN}`);
    expect(row.textContent).toContain("admin-user");
    expect(screen.getByRole("status").textContent).toBe("Secret API_TOKEN created.");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(pageText()).not.toContain(VALUE);

    // A name that is taken is said at the name field.
    fireEvent.click(screen.getByRole("button", { name: "+ New secret" }));
    const again = screen.getByRole("dialog", { name: "New secret" });
    fireEvent.change(within(again).getByLabelText("Name"), { target: { value: "API_TOKEN" } });
    fireEvent.change(within(again).getByLabelText("Value"), { target: { value: "xxxx" } });
    fireEvent.click(within(again).getByRole("button", { name: "Create secret" }));
    expect((await within(again).findByTestId("error-secret-name")).textContent).toBe(
      "A secret with this name already exists.",
    );
    fireEvent.click(within(again).getByRole("button", { name: "Cancel" }));

    fireEvent.click(within(row).getByRole("button", { name: "Replace the value of API_TOKEN" }));
    const replace = screen.getByRole("dialog", { name: "Replace the value of API_TOKEN" });
    expect(replace.textContent).toContain(`Tasks that use \${secret:API_TOKEN} get the new value`);
    const newValue = within(replace).getByLabelText("Value") as HTMLInputElement;
    expect(newValue.type).toBe("password");
    expect(newValue.value).toBe("");
    fireEvent.change(newValue, { target: { value: NEW_VALUE } });
    fireEvent.click(within(replace).getByRole("button", { name: "Replace" }));
    await waitFor(() => expect(screen.getByTestId("secret-row-API_TOKEN").textContent).toContain("other-admin"));
    expect(server.requests.find((r) => r.method === "PUT")?.body).toEqual({ value: NEW_VALUE });
    expect(screen.getByRole("status").textContent).toBe("The value of API_TOKEN was replaced.");
    expect(pageText()).not.toContain(NEW_VALUE);

    fireEvent.click(
      within(screen.getByTestId("secret-row-API_TOKEN")).getByRole("button", { name: "Delete API_TOKEN" }),
    );
    const confirm = screen.getByRole("dialog", { name: "Delete this secret?" });
    expect(confirm.textContent).toContain(`Runs of tasks that use \${secret:API_TOKEN} will fail`);
    fireEvent.click(within(confirm).getByRole("button", { name: "Delete" }));
    await screen.findByText("No secrets yet.");
    expect(server.requests.some((r) => r.method === "DELETE" && r.url === "/api/secrets/API_TOKEN")).toBe(true);
  });

  it("says how to turn secrets on when the server has no key, in the reader's language, with no form", async () => {
    disabled = true;
    const zh = render(
      <AsRole signedInAs="admin" lang="zh">
        <SecretsPage />
      </AsRole>,
    );
    const note = await screen.findByTestId("secrets-disabled");
    expect(note.textContent).toContain("密钥库未启用");
    expect(note.textContent).toContain("SECRETS_KEY 或 SECRETS_KEY_FILE");
    expect(screen.queryByRole("button", { name: "+ 新建密钥" })).toBeNull();
    // Asked once: a server without a key keeps refusing until it is restarted with one.
    expect(server.requests.filter((r) => r.url === "/api/secrets")).toHaveLength(1);
    zh.unmount();

    render(
      <AsRole signedInAs="admin" lang="en">
        <SecretsPage />
      </AsRole>,
    );
    expect((await screen.findByTestId("secrets-disabled")).textContent).toContain(
      "Set SECRETS_KEY or SECRETS_KEY_FILE for the server",
    );
    expect(screen.queryByRole("button", { name: "+ New secret" })).toBeNull();
    expect(screen.queryByRole("table")).toBeNull();
  });
});

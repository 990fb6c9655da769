import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { AsRole } from "../../../test/session.tsx";
import { TokensPage } from "./TokensPage.tsx";

const SECRET = "cdk_this-is-the-secret-value-0123";
const at = "2029-01-01T00:00:00.000Z";
const tokens: Record<string, unknown>[] = [];

let server: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  server = await startApiServer(({ method, url, body }) => {
    if (method === "GET" && url === "/api/tokens") return { status: 200, body: tokens };
    if (method === "POST" && url === "/api/tokens") {
      const input = body as { name: string; role: string };
      const row = {
        id: 4,
        name: input.name,
        prefix: SECRET.slice(0, 10),
        role: input.role,
        userId: 7,
        username: "viewer-user",
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
        createdAt: at,
      };
      tokens.unshift(row);
      return { status: 201, body: { ...row, token: SECRET } };
    }
    if (method === "DELETE" && url === "/api/tokens/4") {
      (tokens[0] as { revokedAt: string }).revokedAt = at;
      return { status: 204 };
    }
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

/** Everything on the page a user could read or copy, including input values. */
const pageText = () =>
  document.body.textContent + [...document.querySelectorAll("input")].map((input) => input.value).join(" ");

describe("API tokens page", () => {
  it("creates a token no stronger than its owner, shows it once, and revokes it", async () => {
    render(
      <AsRole signedInAs="viewer">
        <TokensPage />
      </AsRole>,
    );
    await screen.findByText("No API tokens yet.");
    fireEvent.click(screen.getByRole("button", { name: "+ New token" }));
    const form = screen.getByRole("dialog", { name: "New API token" });
    const roles = [...(within(form).getByLabelText("Role") as HTMLSelectElement).options].map((o) => o.value);
    expect(roles).toEqual(["viewer"]);
    fireEvent.click(within(form).getByRole("button", { name: "Create token" }));
    expect(within(form).getByText("Required")).not.toBeNull();
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "nightly export" } });
    fireEvent.change(within(form).getByLabelText("Expires"), { target: { value: "" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create token" }));

    const shown = await screen.findByRole("dialog", { name: "Copy the token “nightly export” now" });
    expect(server.requests.find((r) => r.method === "POST")?.body).toEqual({ name: "nightly export", role: "viewer" });
    expect(within(shown).getByTestId("token-warning").textContent).toContain("only time the token is shown");
    expect((within(shown).getByTestId("new-token") as HTMLInputElement).value).toBe(SECRET);
    // jsdom has no clipboard: the value is selected for copying by hand instead.
    fireEvent.click(within(shown).getByRole("button", { name: "Copy" }));
    await within(shown).findByText(/Could not copy automatically/);

    fireEvent.click(within(shown).getByRole("button", { name: "Done, I have copied it" }));
    const row = await screen.findByTestId("token-row-4");
    expect(row.textContent).toContain("cdk_this-i…");
    expect(pageText()).not.toContain(SECRET);

    fireEvent.click(within(row).getByRole("button", { name: "Revoke nightly export" }));
    fireEvent.click(
      within(screen.getByRole("dialog", { name: "Revoke this token?" })).getByRole("button", { name: "Revoke" }),
    );
    await waitFor(() =>
      expect(within(screen.getByTestId("token-row-4")).getByTestId("token-state").textContent).toBe("Revoked"),
    );
  });
});

import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { api, getCsrfToken, setApiBaseUrl, setCsrfToken } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import type { Me } from "../api/auth-api.ts";
import { LoginForm } from "./LoginForm.tsx";

const PASSWORD = "correct horse battery";
let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url, body }) => {
    if (method === "POST" && url === "/api/auth/login") {
      const { username, password } = body as { username: string; password: string };
      if (username === "locked")
        return {
          status: 429,
          headers: { "retry-after": "42" },
          body: { statusCode: 429, error: "Too Many Requests", code: "TOO_MANY_ATTEMPTS", message: "wait 42 s" },
        };
      if (username === "ada" && password === PASSWORD)
        return {
          status: 200,
          body: { user: { id: 3, username: "ada", role: "operator" }, via: "session", csrfToken: "csrf-123" },
        };
      return {
        status: 401,
        body: {
          statusCode: 401,
          error: "Unauthorized",
          code: "INVALID_CREDENTIALS",
          message: "wrong user name or password",
        },
      };
    }
    if (url === "/api/tasks/1/run") return { status: 202, body: { runId: 1 } };
    if (url === "/api/tasks") return { status: 200, body: { items: [], total: 0, page: 1, pageSize: 20 } };
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterEach(() => {
  server.requests.length = 0;
  setCsrfToken(null);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

function renderForm(lang: "en" | "zh" = "en") {
  const signedIn: Me[] = [];
  render(
    <AppProviders lang={lang}>
      <LoginForm onSignedIn={(me) => signedIn.push(me)} />
    </AppProviders>,
  );
  return signedIn;
}

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const submit = () => fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

describe("login form", () => {
  it("asks for both fields before sending anything", async () => {
    renderForm();
    submit();
    expect(screen.getByTestId("error-login-username").textContent).toBe("Required");
    expect(screen.getByTestId("error-login-password").textContent).toBe("Required");
    expect(document.activeElement?.id).toBe("login-username");
    type("User name", "ada");
    submit();
    expect(screen.queryByTestId("error-login-username")).toBeNull();
    expect(document.activeElement?.id).toBe("login-password");
    expect(server.requests).toHaveLength(0);
  });

  it("says the credentials are wrong, keeps the name and clears the password", async () => {
    const signedIn = renderForm();
    type("User name", "ada");
    type("Password", "not it");
    submit();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Wrong user name or password.");
    expect((screen.getByLabelText("User name") as HTMLInputElement).value).toBe("ada");
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("");
    expect(document.activeElement?.id).toBe("login-password");
    expect(signedIn).toHaveLength(0);
    expect(server.requests[0]?.body).toEqual({ username: "ada", password: "not it" });
  });

  it("waits out the rate limit the server names in Retry-After", async () => {
    renderForm();
    type("User name", "locked");
    type("Password", "anything");
    submit();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toMatch(/^Too many failed sign-ins\. Try again in 42 s\.$/);
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(true);
    submit();
    expect(server.requests).toHaveLength(1);
  });

  it("signs in, keeps the CSRF token in memory and sends it with writes only", async () => {
    const signedIn = renderForm();
    type("User name", " ada ");
    type("Password", PASSWORD);
    submit();
    await waitFor(() => expect(signedIn).toHaveLength(1));
    expect(signedIn[0]?.user).toEqual({ id: 3, username: "ada", role: "operator" });
    expect(server.requests[0]?.body).toEqual({ username: "ada", password: PASSWORD });
    expect(getCsrfToken()).toBe("csrf-123");
    // Not in any storage a script could read later.
    expect(JSON.stringify({ ...window.localStorage })).not.toContain("csrf-123");
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain("csrf-123");

    await api.get("/api/tasks");
    await api.post("/api/tasks/1/run");
    const [, read, write] = server.requests;
    expect(read?.headers["x-csrf-token"]).toBeUndefined();
    expect(write?.headers["x-csrf-token"]).toBe("csrf-123");
  });

  it("is translated", () => {
    renderForm("zh");
    expect(screen.getByLabelText("用户名")).not.toBeNull();
    expect(screen.getByLabelText("密码")).not.toBeNull();
    expect(screen.getByRole("button", { name: "登录" })).not.toBeNull();
  });
});

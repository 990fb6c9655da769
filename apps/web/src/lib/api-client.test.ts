import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "../test/api-server.ts";
import {
  ApiError,
  api,
  apiRequest,
  fieldErrorsFrom,
  getCsrfToken,
  setApiBaseUrl,
  setAuthFailureHandler,
  setCsrfToken,
} from "./api-client.ts";

describe("api client", () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  beforeAll(async () => {
    server = await startApiServer(({ method, url }) => {
      if (method === "GET" && url === "/api/tasks/1") return { status: 200, body: { id: 1 } };
      if (method === "DELETE" && url === "/api/tasks/1") return { status: 204 };
      if (method === "POST" && url === "/api/tasks")
        return {
          status: 400,
          body: {
            statusCode: 400,
            error: "Bad Request",
            message: "invalid input",
            code: "VALIDATION",
            details: [{ field: "timezone", message: "unknown zone" }],
          },
        };
      return undefined;
    });
    setApiBaseUrl(server.url);
  });
  afterAll(async () => {
    setApiBaseUrl("");
    await server.close();
  });

  it("returns JSON bodies and nothing for 204", async () => {
    expect(await api.get("/api/tasks/1")).toEqual({ id: 1 });
    expect(await api.delete("/api/tasks/1")).toBeUndefined();
  });

  it("turns the API's error shape into an ApiError with its details", async () => {
    const error = await api.post("/api/tasks", { name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION", message: "invalid input" });
    expect((error as ApiError).details).toEqual([{ field: "timezone", message: "unknown zone" }]);
    const missing = await api.get("/api/nothing").catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404 });
  });

  it("reports an unreachable server as a network error", async () => {
    setApiBaseUrl("http://127.0.0.1:1");
    const error = await api.get("/api/tasks").catch((e: unknown) => e);
    setApiBaseUrl(server.url);
    expect(error).toMatchObject({ status: 0, code: "NETWORK" });
  });

  it("groups details by form field, keeping which list item was wrong", () => {
    expect(
      fieldErrorsFrom([
        { field: "cron", message: "bad" },
        { field: "notifyEmails[1]", message: "not an email" },
        { field: "notifyEmails[3]", message: "not an email either" },
        { field: "/timezone", message: "unknown" },
        { field: "httpHeaders.X-Key", message: "empty" },
      ]),
    ).toEqual({
      cron: "bad",
      notifyEmails: "[1]: not an email; [3]: not an email either",
      timezone: "unknown",
      httpHeaders: "X-Key: empty",
    });
  });
});

describe("api client: session", () => {
  // The server's session token changes when the user signs in again in another tab.
  let serverToken = "new-token";
  let refuseWrites = false;
  let server: Awaited<ReturnType<typeof startApiServer>>;
  const failures: number[] = [];

  beforeAll(async () => {
    server = await startApiServer(({ method, url, headers }) => {
      if (url === "/api/auth/me")
        return { status: 200, body: { user: { id: 1, username: "a", role: "admin" }, csrfToken: serverToken } };
      if (url === "/api/probe") return { status: 401, body: { statusCode: 401, message: "no", code: "UNAUTHORIZED" } };
      if (url === "/api/gone") return { status: 401, body: { statusCode: 401, message: "no", code: "UNAUTHORIZED" } };
      if (url === "/api/admin-only")
        return { status: 403, body: { statusCode: 403, message: "needs admin", code: "FORBIDDEN" } };
      if (method === "POST" && url === "/api/write") {
        if (refuseWrites || headers["x-csrf-token"] !== serverToken)
          return { status: 403, body: { statusCode: 403, message: "csrf", code: "CSRF_TOKEN_INVALID" } };
        return { status: 200, body: { ok: true } };
      }
      return undefined;
    });
    setApiBaseUrl(server.url);
    setAuthFailureHandler((status) => failures.push(status));
  });
  afterEach(() => {
    failures.length = 0;
    server.requests.length = 0;
  });
  afterAll(async () => {
    setAuthFailureHandler(null);
    setCsrfToken(null);
    setApiBaseUrl("");
    await server.close();
  });

  it("fetches the current CSRF token once and retries a write refused for a stale one", async () => {
    setCsrfToken("stale-token");
    expect(await api.post("/api/write", {})).toEqual({ ok: true });
    expect(server.requests.map((r) => `${r.method} ${r.url} ${r.headers["x-csrf-token"] ?? "-"}`)).toEqual([
      "POST /api/write stale-token",
      "GET /api/auth/me -",
      "POST /api/write new-token",
    ]);
    expect(getCsrfToken()).toBe("new-token");
    expect(failures).toEqual([]);
  });

  it("retries only once, then reports the refusal", async () => {
    refuseWrites = true;
    setCsrfToken("stale-token");
    serverToken = "fresh-token";
    const error = await api.post("/api/write", {}).catch((e: unknown) => e);
    refuseWrites = false;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: "CSRF_TOKEN_INVALID" });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /api/write",
      "GET /api/auth/me",
      "POST /api/write",
    ]);
    expect(failures).toEqual([403]);
  });

  it("calls the auth failure handler for 401 and 403, but not for an auth probe", async () => {
    await api.get("/api/gone").catch(() => {});
    await api.get("/api/admin-only").catch(() => {});
    await apiRequest("GET", "/api/probe", { authProbe: true }).catch(() => {});
    expect(failures).toEqual([401, 403]);
  });
});

import type { Task } from "@crondeck/api-client";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { META } from "../../../test/meta.ts";
import { AsRole } from "../../../test/session.tsx";
import { RunWithParametersDialog } from "./RunWithParametersDialog.tsx";

const task = {
  id: 8,
  name: "ping",
  mode: "HTTP",
  httpMethod: "POST",
  command: "https://example.com/ping",
  httpHeaders: { "X-Env": "prod" },
  httpBody: '{"a":1}',
  env: {},
} as unknown as Task;

let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url, body }) => {
    if (method === "GET" && url === "/api/meta") return { status: 200, body: META };
    if (method === "POST" && url === "/api/tasks/8/run") {
      const env = (body as { env?: Record<string, string> } | null)?.env;
      if (env && "REFUSED" in env)
        return {
          status: 400,
          body: {
            statusCode: 400,
            code: "VALIDATION_FAILED",
            message: "httpBody: is allowed only with POST",
            details: [
              {
                field: "httpBody",
                message: "is allowed only with POST",
                code: "ALLOWED_ONLY_WHEN",
                params: { field: "httpMethod", value: "POST" },
              },
            ],
          },
        };
      return { status: 202, body: { runId: 41 } };
    }
    return undefined;
  });
  setApiBaseUrl(server.url);
});
afterAll(async () => {
  setApiBaseUrl("");
  await server.close();
});

function open(lang: "en" | "zh") {
  const started: number[] = [];
  const view = render(
    <AsRole signedInAs="operator" lang={lang}>
      <RunWithParametersDialog task={task} onClose={() => {}} onStarted={(id) => started.push(id)} />
    </AsRole>,
  );
  return { started, view };
}

describe("Run with parameters…", () => {
  it("sends the environment rows and the mode's overridable fields from meta (English)", async () => {
    const { started, view } = open("en");
    expect(screen.getByText("Run “ping” with parameters")).toBeTruthy();
    const headers = await screen.findByLabelText("Headers");
    fireEvent.change(screen.getByLabelText("Name of variable 1"), { target: { value: "REGION" } });
    fireEvent.change(screen.getByLabelText("Value of variable 1"), { target: { value: "eu" } });
    fireEvent.change(headers, { target: { value: "X-Trace: abc" } });
    fireEvent.change(screen.getByLabelText("Request body"), { target: { value: '{"b":2}' } });
    fireEvent.click(screen.getByTestId("run-params-submit"));
    await waitFor(() => expect(started).toEqual([41]));
    expect(server.requests.at(-1)?.body).toEqual({
      env: { REGION: "eu" },
      httpHeaders: { "X-Trace": "abc" },
      httpBody: '{"b":2}',
    });
    view.unmount();
  });

  it("names a bad row before sending, and says the server's refusal (Chinese)", async () => {
    const { started } = open("zh");
    expect(screen.getByText("带参数执行“ping”")).toBeTruthy();
    await screen.findByLabelText("请求头");
    const sent = server.requests.length;
    fireEvent.change(screen.getByLabelText("第 1 个变量的名称"), { target: { value: "1BAD" } });
    fireEvent.click(screen.getByTestId("run-params-submit"));
    expect((await screen.findByTestId("run-param-error-0")).textContent).toContain("只能使用字母、数字和下划线");
    expect(server.requests.length).toBe(sent);

    fireEvent.change(screen.getByLabelText("第 1 个变量的名称"), { target: { value: "REFUSED" } });
    fireEvent.click(screen.getByTestId("run-params-submit"));
    await waitFor(() =>
      expect(screen.getAllByRole("alert").some((alert) => alert.textContent?.includes("请求体"))).toBe(true),
    );
    expect(started).toEqual([]);
  });
});

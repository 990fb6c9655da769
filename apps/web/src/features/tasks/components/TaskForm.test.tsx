import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { setApiBaseUrl } from "../../../lib/api-client.ts";
import { startApiServer } from "../../../test/api-server.ts";
import { META } from "../../../test/meta.ts";
import { emptyFormValues } from "../api/task-form.ts";
import { TaskForm } from "./TaskForm.tsx";
import { TaskCreatePage } from "./TaskFormPage.tsx";

function renderForm(
  onSubmit: (input: Record<string, unknown>) => void = () => {},
  props: Partial<Parameters<typeof TaskForm>[0]> = {},
) {
  return render(
    <AppProviders lang="en">
      <TaskForm
        initial={emptyFormValues("Asia/Shanghai", META)}
        meta={META}
        submitLabel="Create task"
        onSubmit={onSubmit}
        {...props}
      />
    </AppProviders>,
  );
}

const field = (label: string) => screen.queryByLabelText(label);
const change = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

// Every request the form makes (cron preview, notification test, save) goes to this real local server.
let server: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  server = await startApiServer(({ method, url, body }) => {
    // A zone unlike the test machine's, so the form's default is seen to come from the server.
    if (method === "GET" && url === "/api/settings") return { status: 200, body: { timezone: "Pacific/Chatham" } };
    if (method === "GET" && url === "/api/meta") return { status: 200, body: META };
    if (method === "POST" && url.startsWith("/api/cron/preview")) {
      const { cron } = body as { cron: string };
      if (cron === "61 * * * *")
        return {
          status: 400,
          body: {
            statusCode: 400,
            error: "Bad Request",
            message: "invalid cron",
            code: "VALIDATION",
            details: [{ field: "cron", message: "minute out of range" }],
          },
        };
      return {
        status: 200,
        body: {
          description: url.includes("locale=zh_CN") ? "每 5 分钟" : "Every 5 minutes",
          nextRuns: ["2030-01-01T00:05:00.000Z", "2030-01-01T00:10:00.000Z"],
        },
      };
    }
    if (method === "POST" && url === "/api/notifications/test")
      return { status: 200, body: { ok: true, error: null, channel: "WEBHOOK", target: "https://hooks.example/x" } };
    if (method === "POST" && url === "/api/tasks" && (body as { name: string }).name === "reserved env")
      return {
        status: 400,
        body: {
          statusCode: 400,
          error: "Bad Request",
          message: "env.CRONDECK_RUN: must not start with CRONDECK_",
          code: "VALIDATION_FAILED",
          details: [{ field: "env.CRONDECK_RUN", message: "must not start with CRONDECK_", code: "PATTERN" }],
        },
      };
    if (method === "POST" && url === "/api/tasks")
      return {
        status: 400,
        body: {
          statusCode: 400,
          error: "Bad Request",
          message: "body has 2 invalid fields",
          code: "VALIDATION",
          details: [
            { field: "cron", message: "minute 61 is out of range" },
            { field: "notifyEmails[1]", message: "not an email address" },
          ],
        },
      };
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

describe("task form: fields appear only when they apply", () => {
  it("shows HTTP method and headers for HTTP only, and the body for POST only", () => {
    renderForm();
    expect(field("Command")).not.toBeNull();
    expect(field("HTTP method")).toBeNull();
    expect(field("Headers")).toBeNull();
    expect(field("Request body")).toBeNull();

    change("Mode", "HTTP");
    expect(field("URL")).not.toBeNull();
    expect(field("Command")).toBeNull();
    expect(field("HTTP method")).not.toBeNull();
    expect(field("Headers")).not.toBeNull();
    expect(field("Request body")).toBeNull();

    change("HTTP method", "POST");
    expect(field("Request body")).not.toBeNull();

    change("Mode", "SHELL");
    expect(field("HTTP method")).toBeNull();
    expect(field("Headers")).toBeNull();
    expect(field("Request body")).toBeNull();
  });

  it("shows the channel when notifying, addresses for email, URL/format/secret for webhook, keywords for ON_KEYWORD", () => {
    renderForm();
    expect(field("Notify")).not.toBeNull();
    expect(field("Channel")).toBeNull();
    expect(field("Email addresses")).toBeNull();
    expect(screen.queryByRole("button", { name: "Send test notification" })).toBeNull();

    change("Notify", "ON_FAILURE");
    expect(field("Channel")).not.toBeNull();
    expect(field("Email addresses")).not.toBeNull();
    expect(field("Webhook URL")).toBeNull();
    expect(field("Keywords")).toBeNull();
    expect(screen.getByRole("button", { name: "Send test notification" })).not.toBeNull();

    change("Channel", "WEBHOOK");
    expect(field("Email addresses")).toBeNull();
    expect(field("Webhook URL")).not.toBeNull();
    expect(field("Message format")).not.toBeNull();
    expect(field("Signing secret")).not.toBeNull();

    change("Notify", "ON_KEYWORD");
    expect(field("Keywords")).not.toBeNull();
    expect(field("Webhook URL")).not.toBeNull();

    change("Notify", "NONE");
    expect(field("Channel")).toBeNull();
    expect(field("Webhook URL")).toBeNull();
    expect(field("Keywords")).toBeNull();
  });
});

describe("task form: what it submits", () => {
  it("splits addresses and keywords on , and the full-width ，, and headers on Key: Value lines", () => {
    const submitted: Record<string, unknown>[] = [];
    renderForm((input) => submitted.push(input));
    change("Name", "nightly report");
    change("Mode", "HTTP");
    change("HTTP method", "POST");
    change("URL", "https://example.com/hook");
    change("Headers", "Content-Type: application/json\n\nX-Trace: a:b");
    change("Request body", '{"hello":1}');
    change("Cron expression", "0 2 * * *");
    change("Notify", "ON_KEYWORD");
    change("Email addresses", " ops@example.com，dev@example.com, ,qa@example.com ");
    change("Keywords", "ERROR，FATAL,  panic ");
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));

    expect(submitted).toHaveLength(1);
    const input = submitted[0] as Record<string, unknown>;
    expect(input.notifyEmails).toEqual(["ops@example.com", "dev@example.com", "qa@example.com"]);
    expect(input.notifyKeywords).toEqual(["ERROR", "FATAL", "panic"]);
    expect(input.httpHeaders).toEqual({ "Content-Type": "application/json", "X-Trace": "a:b" });
    expect(input).toMatchObject({
      name: "nightly report",
      mode: "HTTP",
      httpMethod: "POST",
      httpBody: '{"hello":1}',
      cron: "0 2 * * *",
      timezone: "Asia/Shanghai",
      notifyPolicy: "ON_KEYWORD",
      notifyChannel: "EMAIL",
      timeoutSeconds: 60,
      enabled: true,
    });
    expect(input).not.toHaveProperty("notifyWebhookUrl");
  });

  it("sends no HTTP settings for a SHELL task and blocks submitting blank required fields", () => {
    const submitted: Record<string, unknown>[] = [];
    renderForm((input) => submitted.push(input));
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted).toHaveLength(0);
    expect(screen.getByTestId("error-task-name").textContent).toBe("Required");
    expect(screen.getByTestId("error-task-cron").textContent).toBe("Required");
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");

    change("Name", "backup");
    expect(screen.queryByTestId("error-task-name")).toBeNull();
    change("Command", "tar czf /tmp/b.tgz /etc");
    change("Cron expression", "@daily");
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ mode: "SHELL", command: "tar czf /tmp/b.tgz /etc", notifyChannel: null });
    // Only the chosen mode's fields are sent: the server refuses another mode's.
    expect(submitted[0]).not.toHaveProperty("httpMethod");
    expect(submitted[0]).not.toHaveProperty("httpHeaders");
    expect(submitted[0]).not.toHaveProperty("notifyEmails");
    // An empty environment is still sent, so saving clears variables removed in the form.
    expect(submitted[0]?.env).toEqual({});
  });

  it("sends the environment as NAME=value lines, and names a bad line", () => {
    const submitted: Record<string, unknown>[] = [];
    renderForm((input) => submitted.push(input));
    change("Name", "greet");
    change("Command", `echo "$GREETING \${secret:TOKEN}"`);
    change("Cron expression", "@daily");
    expect(
      screen.getByText(/SHELL task gets them as environment variables.*\$\{NAME\}.*\$\{secret:NAME\}/),
    ).not.toBeNull();
    change("Environment", "GREETING=hello\nnot a variable");
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted).toHaveLength(0);
    expect(screen.getByTestId("error-task-env").textContent).toContain("Line 2: write it as NAME=value");
    expect(screen.getByLabelText("Environment").getAttribute("aria-invalid")).toBe("true");

    change("Environment", `GREETING=hello\nTOKEN=\${secret:TOKEN}`);
    expect(screen.queryByTestId("error-task-env")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted[0]?.env).toEqual({ GREETING: "hello", TOKEN: `\${secret:TOKEN}` });
  });

  it("flags a header line that is not Key: Value", () => {
    renderForm();
    change("Mode", "HTTP");
    change("Headers", "Accept: */*\nnot a header");
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(screen.getByTestId("error-task-httpHeaders").textContent).toContain("Line 2");
  });
});

describe("task form against an HTTP API", () => {
  it("shows each validation detail at its field, including list items", async () => {
    render(
      <AppProviders lang="en">
        <TaskCreatePage />
      </AppProviders>,
    );
    // New tasks default to the server's zone, as the API gives one sent without a zone.
    expect(((await screen.findByLabelText("Time zone")) as HTMLInputElement).value).toBe("Pacific/Chatham");
    change("Name", "bad one");
    change("Command", "echo hi");
    change("Cron expression", "5 * * * *");
    change("Notify", "ON_END");
    change("Email addresses", "ops@example.com，not-an-email");
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));

    // A generous deadline: the 400 comes from a real HTTP server on a busy machine.
    const cronError = await screen.findByTestId("error-task-cron", {}, { timeout: 5000 });
    expect(cronError.textContent).toBe("minute 61 is out of range");
    expect(screen.getByTestId("error-task-notifyEmails").textContent).toBe("[1]: not an email address");
    expect(screen.getByLabelText("Cron expression").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toContain("Please fix");

    const create = server.requests.find((r) => r.url === "/api/tasks");
    expect(create?.body).toMatchObject({ notifyEmails: ["ops@example.com", "not-an-email"] });

    // Typing in the field clears its stale server message.
    change("Cron expression", "*/5 * * * *");
    expect(screen.queryByTestId("error-task-cron")).toBeNull();
    expect(screen.getByTestId("error-task-notifyEmails")).not.toBeNull();
  });

  it("shows the server's refusal of an environment variable at the Environment field", async () => {
    render(
      <AppProviders lang="en">
        <TaskCreatePage />
      </AppProviders>,
    );
    await screen.findByLabelText("Environment");
    change("Name", "reserved env");
    change("Command", "true");
    change("Cron expression", "@daily");
    change("Environment", "CRONDECK_RUN=1");
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    const error = await screen.findByTestId("error-task-env");
    expect(error.textContent).toBe("CRONDECK_RUN: is not in the expected form");
    expect(server.requests.find((r) => r.url === "/api/tasks")?.body).toMatchObject({ env: { CRONDECK_RUN: "1" } });
  });

  it("previews the schedule as you type, and shows the parse error", async () => {
    render(
      <AppProviders lang="zh">
        <TaskForm initial={emptyFormValues("UTC", META)} meta={META} submitLabel="save" onSubmit={() => {}} />
      </AppProviders>,
    );
    fireEvent.change(screen.getByLabelText("Cron 表达式"), {
      target: { value: "*/5 * * * *" },
    });
    const description = await screen.findByTestId("cron-description", {}, { timeout: 5000 });
    expect(description.textContent).toBe("每 5 分钟");
    const next = within(screen.getByTestId("cron-next-runs")).getAllByRole("listitem");
    expect(next).toHaveLength(2);
    // The last preview request: a debounced preview of an earlier test may still land first.
    const preview = server.requests.filter((r) => r.url.startsWith("/api/cron/preview")).at(-1);
    expect(preview?.body).toEqual({ cron: "*/5 * * * *", timezone: "UTC" });

    fireEvent.change(screen.getByLabelText("Cron 表达式"), { target: { value: "61 * * * *" } });
    await waitFor(() => expect(screen.getByTestId("cron-preview-error").textContent).toContain("minute out of range"), {
      timeout: 5000,
    });
  });

  it("sends a test notification with the channel settings as typed", async () => {
    renderForm();
    change("Notify", "ON_KEYWORD");
    change("Channel", "WEBHOOK");
    change("Webhook URL", "https://hooks.example/x");
    change("Message format", "DINGTALK");
    change("Signing secret", "s3cret");
    change("Keywords", "ERROR");
    fireEvent.click(screen.getByRole("button", { name: "Send test notification" }));
    const status = await screen.findByRole("status");
    expect(status.textContent).toBe("Test message sent to https://hooks.example/x (Webhook).");
    const sent = server.requests.find((r) => r.url === "/api/notifications/test");
    // The channel as typed, and the task the message describes: its policy, keywords, language, retries.
    expect(sent?.body).toMatchObject({
      notifyChannel: "WEBHOOK",
      notifyWebhookUrl: "https://hooks.example/x",
      notifyWebhookFormat: "DINGTALK",
      notifyWebhookSecret: "s3cret",
      notifyPolicy: "ON_KEYWORD",
      notifyKeywords: ["ERROR"],
      notifyLanguage: null,
      mode: "SHELL",
      retryCount: 0,
    });
  });
});

describe("task form: module fields from meta", () => {
  it("asks for a mode's required fields and shows them in the reader's language", () => {
    render(
      <AppProviders lang="zh">
        <TaskForm initial={emptyFormValues("UTC", META)} meta={META} submitLabel="保存" onSubmit={() => {}} />
      </AppProviders>,
    );
    fireEvent.change(screen.getByLabelText("执行方式"), { target: { value: "HTTP" } });
    expect(screen.getByLabelText("请求方法")).not.toBeNull();
    expect(screen.getByLabelText("请求头")).not.toBeNull();
    expect(screen.getByText("以 http:// 或 https:// 开头的完整地址。")).not.toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "保存" }));
    expect(screen.getByTestId("error-task-command").textContent).toBe("必填");
  });

  it("keeps a saved write-only value when left blank, removes it on request, and never drafts it", () => {
    const submitted: Record<string, unknown>[] = [];
    const initial = {
      ...emptyFormValues("UTC", META),
      name: "hook",
      cron: "@daily",
      fields: { command: "true", notifyWebhookUrl: "https://hooks.example/x" },
      notifyPolicy: "ON_FAILURE" as const,
      notifyChannel: "WEBHOOK",
    };
    const view = renderForm((input) => submitted.push(input), {
      initial,
      taskId: 9,
      secretsSet: { notifyWebhookSecret: true },
    });
    expect(screen.getByText("A secret is saved; leave blank to keep it.")).not.toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted[0]).not.toHaveProperty("notifyWebhookSecret");

    fireEvent.click(screen.getByLabelText("Remove the saved secret"));
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted[1]).toMatchObject({ notifyWebhookSecret: null });

    change("Signing secret", "n3w-s3cret");
    expect(screen.queryByLabelText("Remove the saved secret")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(submitted[2]).toMatchObject({ notifyWebhookSecret: "n3w-s3cret" });
    const draft = Object.entries(window.sessionStorage).find(([key]) => key.endsWith("task:9"))?.[1] ?? "";
    expect(draft).toContain("hooks.example");
    expect(draft).not.toContain("n3w-s3cret");
    view.unmount();
  });
});

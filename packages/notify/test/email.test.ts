import { closedPort, type SmtpHarness, startSmtpServer } from "@crondeck/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { buildEmail, closeTransports, deliver, type NotificationTarget, sendTestNotification } from "../src/index.ts";
import { cachedTransportCount } from "../src/smtp.ts";
import { headerOf, mimeParts, sampleRun } from "./helpers.ts";

const PASSWORD = "p@ss:w/rd-Sup3rSecret";
const FAST_RETRY = { attempts: 3, baseDelayMs: 10 };

function emailTarget(emails: string[]): NotificationTarget {
  return {
    policy: "ON_FAILURE",
    channel: "EMAIL",
    settings: { notifyEmails: emails },
    keywords: [],
  };
}

function smtpUrl(port: number, password = PASSWORD): string {
  return `smtp://crondeck:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

const servers: SmtpHarness[] = [];
async function smtp(overrides: NonNullable<Parameters<typeof startSmtpServer>[0]>["server"] = {}) {
  const server = await startSmtpServer({ server: overrides });
  servers.push(server);
  return server;
}

afterEach(async () => {
  closeTransports();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => closeTransports());

describe("buildEmail", () => {
  it("names the task and outcome and lists times, result, keywords, error, output and link", () => {
    const run = sampleRun({
      matchedKeywords: ["ERROR"],
      attempt: 2,
      maxAttempts: 3,
      trigger: "RETRY",
      timezone: "Asia/Shanghai",
    });
    const email = buildEmail(run, { publicUrl: "https://cron.example.com/" });
    expect(email.subject).toBe("[Crondeck] backup-db failed, keyword matched: ERROR");
    for (const part of [email.text, email.html]) {
      // Times in the task's zone (UTC+8), zone named.
      expect(part).toContain("2026-11-23 10:00:00 (Asia/Shanghai)");
      expect(part).toContain("2026-11-23 10:00:03 (Asia/Shanghai)");
      expect(part).toContain("3.5 s");
      expect(part).toContain("exit code 2");
      expect(part).toContain("2 of 3");
      expect(part).toContain("Task “backup-db” failed on attempt 2 of 3 (exit code 2).");
      expect(part).toContain("ERROR: disk full");
      expect(part).toContain("exited with code 2");
      expect(part).toContain("https://cron.example.com/runs/4242");
    }
    expect(email.text).toContain("Matched keywords: ERROR");
  });

  it("shows the HTTP status for HTTP tasks and omits the link without a public URL", () => {
    const email = buildEmail(sampleRun({ mode: "HTTP", exitCode: null, httpStatus: 503, status: "SUCCEEDED" }), {});
    expect(email.subject).toBe("[Crondeck] backup-db succeeded");
    expect(email.text).toContain("HTTP 503");
    expect(email.text).not.toContain("/runs/");
  });

  it("keeps only the last ~2 KB of a long output and says so", () => {
    const output = `${"first line that must be cut\n"}${"x".repeat(5000)}\nLAST LINE`;
    const email = buildEmail(sampleRun({ output }));
    expect(email.text).toContain("LAST LINE");
    expect(email.text).not.toContain("first line that must be cut");
    expect(email.text).toContain("earlier output omitted");
    expect(email.text.length).toBeLessThan(3500);
  });

  it("escapes run data in the HTML part", () => {
    const email = buildEmail(
      sampleRun({
        taskName: 'evil<img src=x onerror="alert(1)">',
        output: "<script>alert('x')</script>",
        error: "a & b",
      }),
    );
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(email.html).not.toContain("<img");
    expect(email.html).toContain("a &amp; b");
    expect(email.text).toContain("<script>alert('x')</script>");
  });
});

describe("deliver by email (real SMTP server)", () => {
  it("sends ONE message to all recipients with the expected content", async () => {
    let authenticated: { user: string; pass: string } | null = null;
    const server = await smtp({
      onAuth(auth, _session, callback) {
        authenticated = { user: auth.username ?? "", pass: auth.password ?? "" };
        callback(null, { user: auth.username });
      },
    });
    const run = sampleRun({ output: "step 1\n<script>alert(1)</script>\ndone" });
    const result = await deliver(emailTarget(["a@x.com", "b@x.com", "c@x.com"]), run, {
      smtpUrl: smtpUrl(server.port),
      smtpFrom: "Ops <ops@example.com>",
      publicUrl: "https://cron.example.com",
      retry: FAST_RETRY,
    });

    expect(result).toMatchObject({
      channel: "EMAIL",
      ok: true,
      error: null,
      attempts: 1,
      target: "a@x.com, b@x.com, c@x.com",
    });
    expect(result.sentAt).toBeInstanceOf(Date);
    expect(server.messages).toHaveLength(1);
    const [message] = server.messages;
    expect(message?.to).toEqual(["a@x.com", "b@x.com", "c@x.com"]);
    expect(message?.from).toBe("ops@example.com");
    // The password survived URL encoding on its way to the server.
    expect(authenticated).toEqual({ user: "crondeck", pass: PASSWORD });

    const raw = message?.raw ?? "";
    expect(headerOf(raw, "Subject")).toBe("[Crondeck] backup-db failed");
    expect(headerOf(raw, "To")).toContain("c@x.com");
    expect(headerOf(raw, "X-Crondeck-Run-Id")).toBe("4242");
    const parts = mimeParts(raw);
    expect(parts["text/plain"]).toContain("exit code 2");
    expect(parts["text/plain"]).toContain("https://cron.example.com/runs/4242");
    expect(parts["text/plain"]).toContain("<script>alert(1)</script>");
    expect(parts["text/html"]).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(parts["text/html"]).not.toContain("<script>");
  });

  it("uses the default sender and the host/port settings when no URL is given, and reuses one transport", async () => {
    const server = await smtp();
    const config = { smtpHost: "127.0.0.1", smtpPort: server.port, retry: FAST_RETRY };
    const first = await deliver(emailTarget(["ops@x.com"]), sampleRun(), config);
    const second = await deliver(emailTarget(["ops@x.com"]), sampleRun({ runId: 4243 }), { ...config });
    expect(first.ok && second.ok).toBe(true);
    expect(server.messages.map((m) => m.from)).toEqual(["crondeck@localhost", "crondeck@localhost"]);
    expect(cachedTransportCount()).toBe(1);
  });

  it("reports a server that rejects every recipient, without the password", async () => {
    const server = await smtp({
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
      onRcptTo(_address, _session, callback) {
        const error = Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 });
        callback(error);
      },
    });
    const result = await deliver(emailTarget(["a@x.com"]), sampleRun(), {
      smtpUrl: smtpUrl(server.port),
      retry: FAST_RETRY,
    });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/Mailbox unavailable/);
    // A 5xx refusal is final: no point retrying.
    expect(result.attempts).toBe(1);
    expect(result.error).not.toContain(PASSWORD);
    expect(result.error).not.toContain(encodeURIComponent(PASSWORD));
    expect(server.messages).toHaveLength(0);
  });

  it("retries a temporary refusal of the message and reports the last error", async () => {
    const server = await smtp({
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
      onData(stream, _session, callback) {
        stream.resume();
        stream.on("end", () => callback(Object.assign(new Error("Try again later"), { responseCode: 451 })));
      },
    });
    const result = await deliver(emailTarget(["a@x.com"]), sampleRun(), {
      smtpHost: "127.0.0.1",
      smtpPort: server.port,
      smtpUser: "crondeck",
      smtpPassword: PASSWORD,
      retry: FAST_RETRY,
    });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.error).toMatch(/Try again later/);
    expect(result.error).not.toContain(PASSWORD);
  });

  it("reports refused credentials without the password and does not retry them", async () => {
    const server = await smtp({
      onAuth: (_auth, _session, callback) => callback(new Error("Invalid username or password")),
    });
    const result = await deliver(emailTarget(["a@x.com"]), sampleRun(), {
      smtpUrl: smtpUrl(server.port),
      retry: FAST_RETRY,
    });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/535|Invalid/);
    expect(JSON.stringify(result)).not.toContain("Sup3rSecret");
  });

  it("notes recipients refused while others got the message", async () => {
    const server = await smtp({
      onRcptTo(address, _session, callback) {
        callback(
          address.address === "nobody@x.com" ? Object.assign(new Error("No such user"), { responseCode: 550 }) : null,
        );
      },
    });
    const result = await deliver(emailTarget(["a@x.com", "nobody@x.com"]), sampleRun(), {
      smtpHost: "127.0.0.1",
      smtpPort: server.port,
    });
    expect(result.ok).toBe(true);
    expect(result.error).toContain("nobody@x.com");
    expect(server.messages[0]?.to).toEqual(["a@x.com"]);
  });

  it("fails without throwing when the SMTP port is closed, and keeps the password out", async () => {
    const port = await closedPort();
    const result = await deliver(emailTarget(["a@x.com"]), sampleRun(), {
      smtpUrl: smtpUrl(port),
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(2);
    expect(result.error).toMatch(/ECONNREFUSED|connect/i);
    expect(result.error).not.toContain(PASSWORD);
    expect(result.error).not.toContain(encodeURIComponent(PASSWORD));
    expect(JSON.stringify(result)).not.toContain("Sup3rSecret");
  });

  it("fails at once when email is not configured or there is nobody to write to", async () => {
    const unconfigured = await deliver(emailTarget(["a@x.com"]), sampleRun(), { retry: FAST_RETRY });
    expect(unconfigured).toMatchObject({ ok: false, attempts: 1 });
    expect(unconfigured.error).toMatch(/SMTP_URL/);

    const server = await smtp();
    const nobody = await deliver(emailTarget([" ", ""]), sampleRun(), { smtpHost: "127.0.0.1", smtpPort: server.port });
    expect(nobody).toMatchObject({ ok: false, attempts: 1, error: "no email addresses to notify" });
  });

  it("sends a test notification that says it is a test", async () => {
    const server = await smtp();
    const result = await sendTestNotification(
      emailTarget(["a@x.com"]),
      { smtpHost: "127.0.0.1", smtpPort: server.port, publicUrl: "https://cron.example.com" },
      { taskName: "nightly-report" },
    );
    expect(result.ok).toBe(true);
    const raw = server.messages[0]?.raw ?? "";
    expect(headerOf(raw, "Subject")).toBe("[Crondeck] Test message for nightly-report");
    expect(mimeParts(raw)["text/plain"]).toContain("This is a test message");
    expect(mimeParts(raw)["text/plain"]).not.toContain("/runs/");
  });
});

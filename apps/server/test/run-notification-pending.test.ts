import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { testProviders } from "@crondeck/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTask, eventually, runNow, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

// GET /api/runs/:id says when the notification a task asks for after a run is still on its way
// (notificationPending), so the run page can say "sending" instead of "none was sent".

const providers = await testProviders();

describe.each(providers)("notificationPending on %s", (provider) => {
  let t: TestApp;
  // A webhook that answers only when the test lets it.
  const held: ServerResponse[] = [];
  const hook = createServer((req, res) => {
    req.resume();
    req.on("end", () => held.push(res));
  });
  let hookUrl = "";

  beforeAll(async () => {
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    t = await startTestApp(provider);
  });
  afterAll(async () => {
    for (const res of held) res.end();
    await t?.close();
    await new Promise((resolve) => hook.close(resolve));
  });

  const notifying = (changes: Record<string, unknown>) => ({
    cron: "0 0 1 1 *",
    notifyChannel: "WEBHOOK",
    notifyWebhookUrl: hookUrl,
    ...changes,
  });

  it("is true from the run's end until the delivery is recorded", async () => {
    const task = await createTask(
      t.app,
      notifying({ name: "pending-on-end", command: "true", notifyPolicy: "ON_END" }),
    );
    const before = held.length;
    const id = await runNow(t.app, task.id);
    const ended = await waitForRun(t.app, id);
    expect(ended.status).toBe("SUCCEEDED");
    await eventually(async () => (held.length > before ? true : undefined), 30_000, "the webhook call");
    expect(await waitForRun(t.app, id)).toMatchObject({ notificationPending: true, notifications: [] });

    held[held.length - 1]?.writeHead(200).end("{}");
    const sent = await waitForRun(t.app, id, (run) => (run.notifications as unknown[]).length > 0);
    expect(sent.notificationPending).toBe(false);
    expect(sent.notifications).toMatchObject([{ channel: "WEBHOOK", ok: true }]);
  });

  it("is false when the policy asks for nothing after this run, and on an attempt with a retry coming", async () => {
    const quiet = await createTask(
      t.app,
      notifying({ name: "pending-on-failure", command: "true", notifyPolicy: "ON_FAILURE" }),
    );
    const ok = await waitForRun(t.app, await runNow(t.app, quiet.id));
    expect(ok).toMatchObject({ status: "SUCCEEDED", notificationPending: false });

    const before = held.length;
    const retrying = await createTask(
      t.app,
      notifying({
        name: "pending-after-retries",
        command: "exit 3",
        notifyPolicy: "ON_FAILURE",
        retryCount: 1,
        retryIntervalSeconds: 1,
      }),
    );
    const first = await waitForRun(t.app, await runNow(t.app, retrying.id));
    expect(first).toMatchObject({ status: "FAILED", notificationPending: false });
    // The fire's last attempt is the one notified about.
    const last = await eventually(async () => {
      const run = await waitForRun(t.app, first.id as number);
      return (run.attempts as unknown[]).length === 2 ? (run.attempts as { id: number }[])[1] : undefined;
    });
    await eventually(async () => (held.length > before ? true : undefined), 30_000, "the webhook call");
    expect(await waitForRun(t.app, last.id)).toMatchObject({ status: "FAILED", notificationPending: true });
    expect((await waitForRun(t.app, first.id as number)).notificationPending).toBe(false);
    held[held.length - 1]?.writeHead(200).end("{}");
    await waitForRun(t.app, last.id, (run) => run.notificationPending === false);
  });
});

import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// The run page follows a notification the way it follows output: while the delivery is under way it
// says so, and the delivery shows up when it is recorded, without a reload.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("run page: the notification, live", () => {
  const suite = browserSuite({ tokenName: "e2e setup" });
  // A webhook that answers only when the test lets it: the delivery is under way until then.
  const held: ServerResponse[] = [];
  let hookUrl = "";
  const hook = createServer((req, res) => {
    req.resume();
    req.on("end", () => held.push(res));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    await new Promise((resolve) => hook.close(resolve));
  });

  async function until(what: string, check: () => boolean) {
    for (let i = 0; i < 300; i++) {
      if (check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  for (const [locale, text] of [
    ["en-US", { sending: "Sending the notification…", ok: "Sent", none: "No notification was sent for this run." }],
    ["zh-CN", { sending: "正在发送通知…", ok: "已发送", none: "这次执行没有发送通知。" }],
  ] as const) {
    describe(locale, () => {
      const view = signedInView(suite, locale);

      it("says the notification is on its way, then shows it when it is recorded", async () => {
        const { id } = await suite.api<{ id: number }>(
          "POST",
          "/api/tasks",
          {
            name: `notify-live-${locale}`,
            mode: "SHELL",
            cron: "0 5 1 1 *",
            command: "echo done",
            notifyPolicy: "ON_END",
            notifyChannel: "WEBHOOK",
            notifyWebhookUrl: hookUrl,
          },
          201,
        );
        const before = held.length;
        const { runId } = await suite.api<{ runId: number }>("POST", `/api/tasks/${id}/run`, undefined, 202);
        await view.page.goto(`${suite.url}/runs/${runId}`);
        await view.page.getByTestId("run-status").locator('[data-status="SUCCEEDED"]').waitFor();
        await until("the webhook call", () => held.length > before);

        const section = view.page.getByRole("region", { name: locale === "en-US" ? "Notifications" : "通知" });
        await section.getByTestId("notification-pending").waitFor();
        expect(await section.getByTestId("notification-pending").textContent()).toBe(text.sending);
        expect(await section.getByText(text.none).count()).toBe(0);

        held[held.length - 1]?.writeHead(200, { "content-type": "application/json" }).end("{}");
        const table = section.getByTestId("notifications-table");
        await table.waitFor();
        expect(await table.locator("tbody tr").count()).toBe(1);
        expect(await table.locator("tbody .badge").textContent()).toBe(text.ok);
        expect(await section.getByTestId("notification-pending").count()).toBe(0);
      });
    });
  }
});

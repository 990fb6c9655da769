import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// The run page tells how runs relate: a FORBID skip points at the run under way, a failed attempt
// says when the next one comes and links the attempts of its fire; the overview counts fires.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("run page: skips and retries", () => {
  const suite = browserSuite({ tokenName: "e2e setup" });
  const view = signedInView(suite, "en-US");

  const runStatus = (id: number) => suite.api<{ status: string }>("GET", `/api/runs/${id}`).then((r) => r.status);

  it("a Run now refused by FORBID links to the run under way, which stays the task's last result", async () => {
    const gate = join(mkdtempSync(join(tmpdir(), "crondeck-gate-")), "go");
    const { id } = await suite.api<{ id: number }>(
      "POST",
      "/api/tasks",
      {
        name: "forbid-e2e",
        mode: "SHELL",
        cron: "0 5 * * *",
        // Holds until the test opens the gate, then fails: a real FAILED the skip must not hide.
        command: `while [ ! -f ${gate} ]; do sleep 0.2; done; exit 3`,
        timeoutSeconds: 120,
      },
      201,
    );
    const { runId: going } = await suite.api<{ runId: number }>("POST", `/api/tasks/${id}/run`, undefined, 202);

    await view.page.goto(`${suite.url}/tasks/${id}`);
    await view.page.getByRole("button", { name: "Run now" }).click();
    await view.page.waitForURL((url) => /\/runs\/\d+$/.test(url.pathname) && url.pathname !== `/runs/${going}`);
    await view.page.getByTestId("run-status").locator('[data-status="SKIPPED"]').waitFor();
    const notice = view.page.getByTestId("run-blocked-by");
    expect(await notice.textContent()).toContain(`run #${going} of this task was under way`);
    await notice.getByRole("link", { name: `Open run #${going}` }).click();
    await view.page.waitForURL(`${suite.url}/runs/${going}`);

    writeFileSync(gate, "");
    await view.page.getByTestId("run-status").locator('[data-status="FAILED"]').waitFor({ timeout: 60_000 });
    await view.page.goto(`${suite.url}/tasks`);
    const row = view.page.getByTestId("tasks-table").getByRole("row").filter({ hasText: "forbid-e2e" });
    await row.locator('[data-status="FAILED"]').waitFor();
    expect(await row.getByRole("link", { name: /Failed/ }).getAttribute("href")).toBe(`/runs/${going}`);
  });

  it("a failed attempt counts down to its retry and links the attempts of its fire", async () => {
    const { id } = await suite.api<{ id: number }>(
      "POST",
      "/api/tasks",
      {
        name: "retry-e2e",
        mode: "SHELL",
        cron: "0 5 * * *",
        command: "exit 3",
        retryCount: 2,
        retryIntervalSeconds: 10,
      },
      201,
    );
    const { runId: first } = await suite.api<{ runId: number }>("POST", `/api/tasks/${id}/run`, undefined, 202);
    await view.page.goto(`${suite.url}/runs/${first}`);
    await view.page.getByTestId("run-status").locator('[data-status="FAILED"]').waitFor();
    const retry = view.page.getByTestId("run-retry");
    expect(await retry.textContent()).toMatch(/^Retry in (10|[1-9]) s \(attempt 1 of 3\)$/);

    // The second attempt appears on the first one's page without a reload.
    const attempts = view.page.getByTestId("run-attempts");
    await attempts.getByRole("link", { name: /Attempt 2/ }).click();
    await view.page.waitForURL((url) => /\/runs\/\d+$/.test(url.pathname) && url.pathname !== `/runs/${first}`);
    await attempts.getByRole("link", { name: /Attempt 1/ }).waitFor();
    expect(await attempts.locator('[aria-current="page"]').textContent()).toContain("Attempt 2");

    // Three failed attempts of one fire are one failure on the overview.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const runs = await suite.api<{ items: { id: number }[] }>("GET", `/api/tasks/${id}/runs`);
      const statuses = await Promise.all(runs.items.map((r) => runStatus(r.id)));
      if (statuses.length === 3 && statuses.every((s) => s === "FAILED")) break;
      if (Date.now() > deadline) throw new Error(`the retries did not end: ${statuses.join(", ")}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    await view.page.goto(suite.url);
    // One fire of forbid-e2e and one of retry-e2e failed; the skip is no failure.
    const failed = view.page.getByTestId("stat-failed").locator(".stat-value");
    await failed.waitFor();
    expect(await failed.textContent()).toBe("2");
  });
});

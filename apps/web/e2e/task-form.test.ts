import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "./support/browser.ts";
import { browserSuite, signedInView } from "./support/suite.ts";

// The task form's feedback: the "fix the fields" banner lasts only while a field is still marked,
// and a save is confirmed on the task's page.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("task form feedback", () => {
  const suite = browserSuite({ tokenName: "e2e setup" });
  const view = signedInView(suite, "en-US");

  const banner = () =>
    view.page.getByTestId("task-form").getByRole("alert").filter({ hasText: "Please fix the fields" });
  const name = () => view.page.getByLabel("Name", { exact: true });
  const shell = (taskName: string) => ({ name: taskName, mode: "SHELL", cron: "0 5 * * *", command: "true" });

  it("drops the banner once the marked fields are fixed, after a client-side and a server-side refusal", async () => {
    await suite.api("POST", "/api/tasks", shell("taken-name"), 201);
    const { id } = await suite.api<{ id: number }>("POST", "/api/tasks", shell("form-feedback"), 201);
    await view.page.goto(`${suite.url}/tasks/${id}/edit`);

    await name().fill("");
    await view.page.getByRole("button", { name: "Save changes" }).click();
    await banner().waitFor();
    await name().fill("form-feedback-2");
    await banner().waitFor({ state: "detached" });
    expect(await view.page.getByTestId("error-task-name").count()).toBe(0);

    // Refused by the server (the name is taken): marked, then fixed the same way.
    await name().fill("taken-name");
    await view.page.getByRole("button", { name: "Save changes" }).click();
    await view.page.getByTestId("error-task-name").waitFor();
    await banner().waitFor();
    await name().fill("form-feedback-3");
    await banner().waitFor({ state: "detached" });
  });

  it("confirms a save on the task's page, once", async () => {
    await view.page.getByRole("button", { name: "Save changes" }).click();
    await view.page.waitForURL(/\/tasks\/\d+$/);
    expect(await view.page.getByTestId("task-title").textContent()).toBe("form-feedback-3");
    const saved = view.page.getByRole("status").filter({ hasText: "Saved." });
    await saved.waitFor();
    await view.page.reload();
    await view.page.getByTestId("task-title").waitFor();
    expect(await saved.count()).toBe(0);
  });
});

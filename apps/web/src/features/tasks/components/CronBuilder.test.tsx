import { fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { AppProviders } from "../../../app/providers.tsx";
import { CronBuilder } from "./CronBuilder.tsx";

/** The builder beside a plain text field, both bound to one expression as in the task form. */
function Harness({ initial }: { initial: string }) {
  const [cron, setCron] = useState(initial);
  return (
    <>
      <label htmlFor="cron">Cron</label>
      <input id="cron" value={cron} onChange={(e) => setCron(e.target.value)} />
      <CronBuilder cron={cron} onChange={setCron} />
    </>
  );
}

function renderBuilder(initial: string, lang: "en" | "zh" = "en") {
  render(
    <AppProviders lang={lang}>
      <Harness initial={initial} />
    </AppProviders>,
  );
  const builder = within(screen.getByTestId("cron-builder"));
  const cron = () => (screen.getByLabelText("Cron") as HTMLInputElement).value;
  const select = (label: string, value: string) =>
    fireEvent.change(builder.getByLabelText(label), { target: { value } });
  return { builder, cron, select };
}

describe("CronBuilder", () => {
  it("writes each preset's expression from its pickers", () => {
    const { builder, cron, select } = renderBuilder("");
    expect(builder.getByTestId("cron-builder-custom").textContent).toBe(
      "Pick a repetition, or type an expression above.",
    );

    select("Repeat", "minutes");
    expect(cron()).toBe("*/5 * * * *");
    select("Every", "15");
    expect(cron()).toBe("*/15 * * * *");

    select("Repeat", "hourly");
    expect(cron()).toBe("0 * * * *");
    select("At minute", "45");
    expect(cron()).toBe("45 * * * *");

    select("Repeat", "daily");
    expect(cron()).toBe("0 9 * * *");
    fireEvent.change(builder.getByLabelText("At"), { target: { value: "03:30" } });
    expect(cron()).toBe("30 3 * * *");

    select("Repeat", "weekly");
    expect(cron()).toBe("0 9 * * 1-5");
    fireEvent.click(builder.getByLabelText("Wed"));
    expect(cron()).toBe("0 9 * * 1,2,4,5");
    fireEvent.click(builder.getByLabelText("Sun"));
    expect(cron()).toBe("0 9 * * 0-2,4,5");

    select("Repeat", "monthly");
    expect(cron()).toBe("0 9 1 * *");
    select("On day", "31");
    expect(cron()).toBe("0 9 31 * *");
    expect(builder.getByText("Months without this day are skipped.")).toBeTruthy();

    select("Repeat", "seconds");
    expect(cron()).toBe("*/30 * * * * *");
    select("Every", "10");
    expect(cron()).toBe("*/10 * * * * *");
  });

  it("reads an expression typed in the field back into the pickers, else says custom", () => {
    const { builder, cron } = renderBuilder("30 9 * * 1-5");
    expect((builder.getByLabelText("Repeat") as HTMLSelectElement).value).toBe("weekly");
    expect((builder.getByLabelText("At") as HTMLInputElement).value).toBe("09:30");
    const checked = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].filter(
      (d) => (builder.getByLabelText(d) as HTMLInputElement).checked,
    );
    expect(checked).toEqual(["Mon", "Tue", "Wed", "Thu", "Fri"]);

    fireEvent.change(screen.getByLabelText("Cron"), { target: { value: "0 9-17 * * *" } });
    expect((builder.getByLabelText("Repeat") as HTMLSelectElement).value).toBe("custom");
    expect(builder.getByTestId("cron-builder-custom").textContent).toContain("Custom expression");
    expect(builder.queryByLabelText("At")).toBeNull();

    fireEvent.change(screen.getByLabelText("Cron"), { target: { value: "5 2 15 * *" } });
    expect((builder.getByLabelText("Repeat") as HTMLSelectElement).value).toBe("monthly");
    expect((builder.getByLabelText("On day") as HTMLSelectElement).value).toBe("15");
    expect(cron()).toBe("5 2 15 * *");
  });

  it("keeps at least one weekday, and leaves the expression alone when custom is picked, until it is edited", () => {
    const { builder, cron, select } = renderBuilder("0 8 * * 6");
    const saturday = builder.getByLabelText("Sat") as HTMLInputElement;
    expect(saturday.checked).toBe(true);
    expect(saturday.disabled).toBe(true);
    select("Repeat", "custom");
    expect(cron()).toBe("0 8 * * 6");
    expect(builder.getByTestId("cron-builder-custom")).toBeTruthy();
    // Editing the field afterwards reads it again.
    fireEvent.change(screen.getByLabelText("Cron"), { target: { value: "0 8 * * 0,6" } });
    expect((builder.getByLabelText("Repeat") as HTMLSelectElement).value).toBe("weekly");
  });

  it("speaks Chinese", () => {
    const { builder, cron, select } = renderBuilder("0 3 * * *", "zh");
    expect(builder.getByText("可视化设置")).toBeTruthy();
    select("重复", "weekly");
    fireEvent.click(builder.getByLabelText("周一"));
    expect(cron()).toBe("0 9 * * 2-5");
    select("重复", "custom");
    expect(builder.getByTestId("cron-builder-custom").textContent).toContain("自定义表达式");
  });
});

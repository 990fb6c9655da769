import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AppProviders } from "../app/providers.tsx";
import { Pagination } from "./Pagination.tsx";

const show = (lang: "en" | "zh", totalCapped: boolean, page = 500) => {
  const pages: number[] = [];
  render(
    <AppProviders lang={lang}>
      <Pagination page={page} pageSize={20} total={10_000} totalCapped={totalCapped} onPage={(p) => pages.push(p)} />
    </AppProviders>,
  );
  return pages;
};

describe("Pagination", () => {
  it("says a total is exact, and stops at its last page", () => {
    const pages = show("en", false);
    expect(screen.getByText("10000 in total")).toBeTruthy();
    expect(screen.getByText("Page 500 of 500")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Next" }) as HTMLButtonElement).disabled).toBe(true);
    expect(pages).toEqual([]);
  });

  it("says when more runs match than the server counted, and goes on past the counted pages", () => {
    const pages = show("en", true);
    expect(screen.getByText("More than 10000")).toBeTruthy();
    expect(screen.getByText("Page 500 of 500+")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(pages).toEqual([501]);
  });

  it("says it in Chinese too", () => {
    show("zh", true, 3);
    expect(screen.getByText("超过 10000 条")).toBeTruthy();
    expect(screen.getByText("第 3 / 500+ 页")).toBeTruthy();
  });
});

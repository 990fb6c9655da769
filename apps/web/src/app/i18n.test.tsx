import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { en } from "../lib/i18n/en.ts";
import { initialLang, LANG_STORAGE_KEY } from "../lib/i18n/index.tsx";
import { zh } from "../lib/i18n/zh.ts";
import { Layout } from "./Layout.tsx";
import { AppProviders } from "./providers.tsx";

function renderShell() {
  return render(
    <AppProviders>
      <Layout>
        <p>page</p>
      </Layout>
    </AppProviders>,
  );
}

function setBrowserLanguage(language: string) {
  Object.defineProperty(window.navigator, "language", { value: language, configurable: true });
}

describe("i18n", () => {
  afterEach(() => setBrowserLanguage("en-US"));

  it("switches between English and Chinese from the header and remembers the choice", () => {
    setBrowserLanguage("en-US");
    const first = renderShell();
    const nav = screen.getByRole("navigation", { name: "Main navigation" });
    expect(nav.textContent).toContain("Overview");
    expect(nav.textContent).toContain("Tasks");

    fireEvent.click(screen.getByTestId("lang-switch"));
    const zhNav = screen.getByRole("navigation", { name: "主导航" });
    expect(zhNav.textContent).toContain("概览");
    expect(zhNav.textContent).toContain("任务");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(window.localStorage.getItem(LANG_STORAGE_KEY)).toBe("zh");

    // A new visit starts in the remembered language even though the browser says English.
    first.unmount();
    renderShell();
    expect(screen.getByRole("navigation", { name: "主导航" })).not.toBeNull();
    fireEvent.click(screen.getByTestId("lang-switch"));
    expect(screen.getByRole("navigation", { name: "Main navigation" }).textContent).toContain("Overview");
    expect(window.localStorage.getItem(LANG_STORAGE_KEY)).toBe("en");
  });

  it("defaults to the browser's language when nothing is stored", () => {
    setBrowserLanguage("zh-TW");
    expect(initialLang()).toBe("zh");
    setBrowserLanguage("fr-FR");
    expect(initialLang()).toBe("en");
    window.localStorage.setItem(LANG_STORAGE_KEY, "zh");
    expect(initialLang()).toBe("zh");
  });

  it("translates every message, keeping the same placeholders", () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zh[key], key).toBeTruthy();
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
    }
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });
});

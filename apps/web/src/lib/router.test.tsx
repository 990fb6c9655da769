import { act, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { navigate, useBlocker, useLocation } from "./router.tsx";

function Guard({ when, onBlock }: { when: boolean; onBlock: (to: string, proceed: () => void) => void }) {
  useBlocker(when, onBlock);
  // What the app renders for: it must not see the address Back left for.
  return <span data-testid="where">{useLocation().pathname}</span>;
}

describe("useBlocker", () => {
  afterEach(() => window.history.replaceState(null, "", "/"));

  it("holds in-app navigation while it applies, and lets it go on when told", () => {
    window.history.replaceState(null, "", "/tasks/1/edit");
    const asked: Array<{ to: string; proceed: () => void }> = [];
    const view = render(<Guard when onBlock={(to, proceed) => asked.push({ to, proceed })} />);
    act(() => navigate("/tasks"));
    expect(window.location.pathname).toBe("/tasks/1/edit");
    expect(asked.map((a) => a.to)).toEqual(["/tasks"]);
    act(() => asked[0]?.proceed());
    expect(window.location.pathname).toBe("/tasks");
    view.unmount();
  });

  it("lets a forced navigation through, and holds nothing when it does not apply", () => {
    window.history.replaceState(null, "", "/tasks/new");
    const asked: string[] = [];
    const view = render(<Guard when onBlock={(to) => asked.push(to)} />);
    act(() => navigate("/tasks/5", { force: true }));
    expect(window.location.pathname).toBe("/tasks/5");
    view.rerender(<Guard when={false} onBlock={(to) => asked.push(to)} />);
    act(() => navigate("/runs"));
    expect(window.location.pathname).toBe("/runs");
    expect(asked).toEqual([]);
    view.unmount();
  });

  it("puts the page back after the Back button and asks about where it went", () => {
    window.history.replaceState(null, "", "/tasks/2/edit");
    const asked: string[] = [];
    const view = render(<Guard when onBlock={(to) => asked.push(to)} />);
    window.history.replaceState(null, "", "/tasks/2");
    act(() => {
      window.dispatchEvent(new PopStateEvent("popstate"));
    });
    expect(window.location.pathname).toBe("/tasks/2/edit");
    expect(view.getByTestId("where").textContent).toBe("/tasks/2/edit");
    expect(asked).toEqual(["/tasks/2"]);
    view.unmount();
  });
});

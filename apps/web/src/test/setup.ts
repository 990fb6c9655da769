import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Without vitest globals, Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  window.localStorage.clear();
  // Unsaved form drafts (lib/drafts.ts) must not carry from one test into the next.
  window.sessionStorage.clear();
});

import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

// Component tests. The browser end-to-end project lives in vitest.e2e.config.ts: a project file
// that declares `projects` becomes a container whose children are renamed "<container> (<name>)",
// which would break `--project web` / `--project e2e`.
export default defineProject({
  plugins: [react()],
  test: {
    name: "web",
    environment: "jsdom",
    include: ["src/**/*.test.tsx", "src/**/*.test.ts"],
    setupFiles: ["./src/test/setup.ts"],
    testTimeout: 30_000,
  },
});

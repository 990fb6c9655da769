import { defineProject } from "vitest/config";

// Browser end-to-end tests: a real server, a real database file and a real Chromium. Slow on a
// loaded 2-core machine, hence the long timeouts; one file at a time keeps Chromium instances few.
export default defineProject({
  test: {
    name: "e2e",
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});

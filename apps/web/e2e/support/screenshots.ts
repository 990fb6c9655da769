import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the browser tests save page screenshots: a temp folder by default, so a test run leaves
 * the checked-in ones alone; `pnpm --filter @crondeck/web screenshots` refreshes docs/screenshots.
 */
export const screenshotDir = process.env.SCREENSHOTS_DIR
  ? resolve(fileURLToPath(new URL("../../../..", import.meta.url)), process.env.SCREENSHOTS_DIR)
  : join(tmpdir(), "crondeck-screenshots");

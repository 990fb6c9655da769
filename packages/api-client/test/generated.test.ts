import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { GENERATED_FILE, generateTypes } from "../scripts/generate.ts";

describe("the generated API types", () => {
  it("match the OpenAPI document the app builds now (else run `pnpm --filter @crondeck/api-client generate`)", async () => {
    const committed = await readFile(GENERATED_FILE, "utf8");
    const fresh = await generateTypes();
    // A plain equality, so the failure shows the first lines that differ.
    expect(committed === fresh, "src/openapi.gen.ts is stale: run `pnpm --filter @crondeck/api-client generate`").toBe(
      true,
    );
  });
});

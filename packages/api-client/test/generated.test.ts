import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { appDocument, GENERATED_FILE, generateTypes } from "../scripts/generate.ts";

describe("the generated API types", () => {
  it("match the OpenAPI document the app builds now (else run `pnpm --filter @crondeck/api-client generate`)", async () => {
    const committed = await readFile(GENERATED_FILE, "utf8");
    const fresh = await generateTypes();
    // A plain equality, so the failure shows the first lines that differ.
    expect(committed === fresh, "src/openapi.gen.ts is stale: run `pnpm --filter @crondeck/api-client generate`").toBe(
      true,
    );
  });

  it("name the shapes the dashboard uses: the task and run answers refer to components/schemas", async () => {
    const doc = (await appDocument()) as {
      components: { schemas: Record<string, unknown> };
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>
      >;
    };
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Error", "Task", "TaskPage", "RunListItem", "RunDetail", "RunPage"]),
    );
    const answer = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses[status]?.content["application/json"]?.schema;
    expect(answer("/api/tasks/{id}", "get", "200")).toEqual({ $ref: "#/components/schemas/Task" });
    expect(answer("/api/tasks", "get", "200")).toEqual({ $ref: "#/components/schemas/TaskPage" });
    expect(answer("/api/runs/{id}", "get", "200")).toEqual({ $ref: "#/components/schemas/RunDetail" });
    expect(answer("/api/tasks/{id}/runs", "get", "200")).toEqual({ $ref: "#/components/schemas/RunPage" });
  });
});

import type { TSchema } from "typebox";
import { ErrorResponse } from "../../lib/schemas.ts";
import type { TaskModules } from "../../tasks/modules.ts";
import { RunDetail, RunListItem, RunPage } from "./runs/schema.ts";
import { taskSchemas } from "./tasks/schema.ts";

/**
 * The schemas the OpenAPI document publishes by name under components/schemas, added to the root
 * instance (app.ts) so every route can refer to them with ref(). openapi-typescript turns each into
 * one named type of @crondeck/api-client (components["schemas"]["Task"], …), the dashboard's types.
 */
export function componentSchemas(modules: TaskModules): TSchema[] {
  const { Task, TaskPage } = taskSchemas(modules);
  return [ErrorResponse, Task, TaskPage, RunListItem, RunDetail, RunPage];
}

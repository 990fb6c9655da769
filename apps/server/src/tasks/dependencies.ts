import type { DependencyCondition, FieldError, TaskDependencyRef } from "@crondeck/core";
import type { Db } from "@crondeck/db";
import { notFound, validationError } from "../lib/errors.ts";

// Task dependencies, the API's side: a task's upstream tasks are rows of TaskDependency (one per
// upstream, with the outcome it waits for). What the engine does with them is in
// engine/dependencies.ts.

/** Task ids per look-up (SQLite binds at most 32,766 parameters). */
const IDS_PER_QUERY = 2_000;

export interface DependencyView {
  taskId: number;
  name: string;
  on: DependencyCondition;
  enabled: boolean;
}

/** Each task's upstreams, for the tasks of a page (one query per 2,000 tasks). */
export async function dependsOnOf(db: Db, taskIds: number[]): Promise<Map<number, TaskDependencyRef[]>> {
  const out = new Map<number, TaskDependencyRef[]>();
  for (let i = 0; i < taskIds.length; i += IDS_PER_QUERY) {
    const edges = await db.taskDependency.findMany({
      where: { taskId: { in: taskIds.slice(i, i + IDS_PER_QUERY) } },
      orderBy: [{ taskId: "asc" }, { upstreamTaskId: "asc" }],
    });
    for (const edge of edges) {
      const list = out.get(edge.taskId) ?? [];
      list.push({ taskId: edge.upstreamTaskId, on: edge.on as DependencyCondition });
      out.set(edge.taskId, list);
    }
  }
  return out;
}

/**
 * Checks a task's new upstreams against the stored tasks: each exists, is not the task itself, and
 * none makes a cycle (the task reachable from its own upstreams). `taskId` is null for a new task,
 * which no stored task can depend on yet. Throws a 400 naming `dependsOn[i].taskId`.
 */
export async function checkDependsOn(db: Db, taskId: number | null, refs: TaskDependencyRef[]): Promise<void> {
  if (refs.length === 0) return;
  const errors: FieldError[] = [];
  const ids = refs.map((ref) => ref.taskId);
  const found = new Set(
    (await db.task.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((t) => t.id),
  );
  refs.forEach((ref, i) => {
    const field = `dependsOn[${i}].taskId`;
    if (ref.taskId === taskId) {
      errors.push({ field, message: "a task cannot depend on itself", code: "DEPENDS_ON_ITSELF" });
    } else if (!found.has(ref.taskId)) {
      errors.push({
        field,
        message: `task ${ref.taskId} does not exist`,
        code: "UNKNOWN_TASK",
        params: { value: ref.taskId },
      });
    }
  });
  if (errors.length === 0 && taskId !== null) {
    for (const [i, ref] of refs.entries()) {
      const cycle = await pathUpTo(db, ref.taskId, taskId);
      if (!cycle) continue;
      // In the direction runs flow: the task starts its upstream's … upstream, which starts it.
      const names = await namesOf(db, [taskId, ...cycle, taskId]);
      const path = names.join(" → ");
      errors.push({
        field: `dependsOn[${i}].taskId`,
        message: `would make a dependency cycle: ${path}`,
        code: "DEPENDENCY_CYCLE",
        params: { path },
      });
      break;
    }
  }
  if (errors.length > 0) throw validationError(errors);
}

/**
 * Walks upstream from `from` (breadth first, one query per level) looking for `target`. Returns
 * the tasks in between in trigger order (target's upstream first … `from` last), or null.
 */
async function pathUpTo(db: Db, from: number, target: number): Promise<number[] | null> {
  // child: the task a node was reached from (the one it starts).
  const child = new Map<number, number | null>([[from, null]]);
  let level = [from];
  while (level.length > 0) {
    const edges = await db.taskDependency.findMany({
      where: { taskId: { in: level } },
      select: { taskId: true, upstreamTaskId: true },
    });
    const next: number[] = [];
    for (const edge of edges) {
      if (edge.upstreamTaskId === target) {
        const path: number[] = [];
        for (let node: number | null = edge.taskId; node !== null; node = child.get(node) ?? null) path.push(node);
        return path;
      }
      if (child.has(edge.upstreamTaskId)) continue;
      child.set(edge.upstreamTaskId, edge.taskId);
      next.push(edge.upstreamTaskId);
    }
    level = next;
  }
  return null;
}

async function namesOf(db: Db, ids: number[]): Promise<string[]> {
  const rows = await db.task.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  const byId = new Map(rows.map((row) => [row.id, row.name]));
  return ids.map((id) => byId.get(id) ?? `#${id}`);
}

/** Replaces a task's upstreams (inside the caller's transaction when it has one). */
export async function replaceDependsOn(db: Db, taskId: number, refs: TaskDependencyRef[]): Promise<void> {
  await db.taskDependency.deleteMany({ where: { taskId } });
  if (refs.length > 0) {
    await db.taskDependency.createMany({
      data: refs.map((ref) => ({ taskId, upstreamTaskId: ref.taskId, on: ref.on })),
    });
  }
}

/** A task's upstream tasks and the tasks that depend on it, by name, for the task page. */
export async function dependencyGraph(
  db: Db,
  taskId: number,
): Promise<{ upstream: DependencyView[]; downstream: DependencyView[] }> {
  const task = await db.task.findUnique({ where: { id: taskId }, select: { id: true } });
  if (!task) throw notFound("task", taskId);
  const select = { id: true, name: true, enabled: true } as const;
  const [up, down] = await Promise.all([
    db.taskDependency.findMany({ where: { taskId }, include: { upstream: { select } } }),
    db.taskDependency.findMany({ where: { upstreamTaskId: taskId }, include: { task: { select } } }),
  ]);
  const view = (t: { id: number; name: string; enabled: boolean }, on: string): DependencyView => ({
    taskId: t.id,
    name: t.name,
    on: on as DependencyCondition,
    enabled: t.enabled,
  });
  const byName = (a: DependencyView, b: DependencyView) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    upstream: up.map((e) => view(e.upstream, e.on)).sort(byName),
    downstream: down.map((e) => view(e.task, e.on)).sort(byName),
  };
}

// What each role may do in the dashboard. The server enforces the same rules (every /api route
// names its weakest role); this table only decides what the UI offers, so nobody is shown a
// button that can only answer "not allowed".

/** Roles, weakest first: each can do what the ones before it can. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  /** Run a task now. */
  | "task.run"
  /** Enable or disable a task (PATCH with only `enabled`). */
  | "task.toggle"
  | "run.cancel"
  /** Create, edit and delete tasks; send test notifications. */
  | "task.write"
  | "users.manage"
  /** List, create, replace and delete secrets (never read their values: nobody can). */
  | "secrets.manage"
  | "audit.read"
  /** Delete old ended runs in bulk. */
  | "runs.cleanup"
  /** See and revoke everyone's API tokens, not only one's own. */
  | "tokens.all";

const WEAKEST_ROLE: Record<Action, Role> = {
  "task.run": "operator",
  "task.toggle": "operator",
  "run.cancel": "operator",
  "task.write": "admin",
  "users.manage": "admin",
  "secrets.manage": "admin",
  "audit.read": "admin",
  "runs.cleanup": "admin",
  "tokens.all": "admin",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The weakest role that may do `action`. */
export function neededRole(action: Action): Role {
  return WEAKEST_ROLE[action];
}

/** Whether `role` may do `action`; nobody (no session) may do anything. */
export function can(role: Role | null | undefined, action: Action): boolean {
  return role != null && roleAtLeast(role, WEAKEST_ROLE[action]);
}

/** The roles a user may hand to an API token: their own and the weaker ones. */
export function rolesUpTo(role: Role): Role[] {
  return ROLES.filter((r) => roleAtLeast(role, r));
}

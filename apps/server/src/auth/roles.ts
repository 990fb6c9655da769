/** Roles, weakest first: each can do what the ones before it can. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who may call a route: `public` needs no credentials; otherwise the weakest role allowed.
 * viewer reads; operator also runs, cancels, enables and disables; admin also creates, edits and
 * deletes tasks, and manages users, tokens and settings.
 */
export type Access = "public" | Role;

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The weaker of two roles (a token never carries more than its user). */
export function weakerRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? b : a;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when a Prisma error is a unique-constraint violation (P2002), on either database. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

/** True when a Prisma error is a foreign-key violation (P2003): the row it points at is gone. */
export function isForeignKeyViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2003";
}

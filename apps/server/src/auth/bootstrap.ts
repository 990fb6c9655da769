import type { Db } from "@crondeck/db";
import type { FastifyBaseLogger } from "fastify";
import { hashPassword, randomSecret } from "./secrets.ts";

/**
 * The first start creates the only account there is: ADMIN_USER (default `admin`) with
 * ADMIN_PASSWORD, or with a random password printed once to the log. There is no default password.
 */
export interface FirstStart {
  /** This start created the first admin. */
  created: boolean;
  /** …with a generated password (logged once, above the ready line). */
  generated: boolean;
  adminUser: string;
}

export async function ensureFirstAdmin(
  db: Db,
  settings: { adminUser: string; adminPassword: string | null },
  log: FastifyBaseLogger,
): Promise<FirstStart> {
  const none = { created: false, generated: false, adminUser: settings.adminUser };
  if ((await db.user.count()) > 0) return none;
  const generated = settings.adminPassword === null;
  const password = settings.adminPassword ?? randomSecret(15);
  try {
    await db.user.create({
      data: { username: settings.adminUser, passwordHash: await hashPassword(password), role: "admin" },
    });
  } catch (err) {
    // Another instance starting at the same time created it first.
    if ((await db.user.count()) > 0) return none;
    throw err;
  }
  if (generated) {
    // The one time a secret is logged, on purpose: nobody could sign in otherwise.
    log.warn(
      `created the first admin user "${settings.adminUser}" with the password ${password} — it is shown only this once; sign in and change it, or set ADMIN_PASSWORD before the first start\n\n    user:     ${settings.adminUser}\n    password: ${password}\n`,
    );
  } else {
    log.info({ user: settings.adminUser }, "created the first admin user from ADMIN_USER/ADMIN_PASSWORD");
  }
  return { created: true, generated, adminUser: settings.adminUser };
}

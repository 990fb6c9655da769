import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

// argon2id (memory-hard) through @node-rs/argon2: a maintained binding that ships prebuilt binaries
// in npm packages, so nothing compiles at install. Its defaults follow the OWASP minimum
// (19 MiB, 2 passes).

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verifying against this when the user doesn't exist keeps "no such user" as slow as "wrong password".
const DUMMY_HASH = hash("crondeck-dummy-password-for-timing");

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    const ok = await verify(passwordHash ?? (await DUMMY_HASH), password);
    return passwordHash !== null && ok;
  } catch {
    return false;
  }
}

/** A random secret for a cookie or an API token, URL-safe. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** What is stored instead of a session or token secret. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

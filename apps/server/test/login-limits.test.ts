import { testProviders } from "@crondeck/db/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, loadConfig } from "../src/app.ts";
import { hashPassword } from "../src/auth/secrets.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

const providers = await testProviders();

async function login(app: FastifyInstance, username: string, password: string, ip: string) {
  const res = await app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password },
    headers: { authorization: "" },
    remoteAddress: ip,
  });
  return res.statusCode;
}

function tally(codes: number[]) {
  const counts: Record<number, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

describe.each(providers)("login limits under bursts on %s", (provider) => {
  let t: TestApp;
  let second: FastifyInstance;
  beforeAll(async () => {
    t = await startTestApp(provider);
    // A second API instance on the same database, as behind a load balancer.
    second = await buildApp(
      loadConfig({ TZ: "UTC" }, { databaseUrl: t.database.url, scheduler: false, webDist: "/nonexistent" }),
      { logger: false },
    );
    await second.ready();
    const passwordHash = await hashPassword("the right password");
    for (const username of ["burst", "spread", "addr1", "addr2"]) {
      await t.app.database.db.user.create({ data: { username, passwordHash, role: "viewer" } });
    }
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it("checks at most 9 of 40 parallel guesses for one user, and refuses the rest before hashing", async () => {
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(t.app, "burst", `wrong ${i}`, `10.1.0.${i + 1}`)),
    );
    const counts = tally(codes);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(9);
    expect(counts[429]).toBeGreaterThanOrEqual(31);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(40);
    // The burst and a series after it together get no more than 9 guesses checked in the minute.
    const series: number[] = [];
    for (let i = 0; i < 10; i++) series.push(await login(t.app, "burst", `late ${i}`, "10.1.1.1"));
    expect((counts[401] ?? 0) + (tally(series)[401] ?? 0)).toBeLessThanOrEqual(9);
    expect(await login(t.app, "burst", "the right password", "10.1.1.2")).toBe(429);
  });

  it("holds across two instances sharing the database", async () => {
    const codes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(i % 2 === 0 ? t.app : second, "spread", `wrong ${i}`, `10.2.0.${i + 1}`),
      ),
    );
    const counts = tally(codes);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(9);
    expect(counts[429]).toBeGreaterThanOrEqual(31);
    const series: number[] = [];
    for (let i = 0; i < 10; i++) series.push(await login(i % 2 ? t.app : second, "spread", `late ${i}`, "10.2.1.1"));
    expect((counts[401] ?? 0) + (tally(series)[401] ?? 0)).toBeLessThanOrEqual(9);
  });

  it("limits one address to 30 checked attempts a minute, whatever the user names, across instances", async () => {
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login(i % 2 === 0 ? t.app : second, `ghost${i}`, "guess", "10.3.0.1")),
    );
    const counts = tally(codes);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(30);
    expect(counts[429]).toBeGreaterThanOrEqual(20);
    const series: number[] = [];
    for (let i = 0; i < 31; i++) series.push(await login(t.app, `late${i}`, "guess", "10.3.0.1"));
    expect((counts[401] ?? 0) + (tally(series)[401] ?? 0)).toBeLessThanOrEqual(30);
    // Another address is not affected.
    expect(await login(t.app, "addr1", "the right password", "10.3.0.2")).toBe(200);
  });
});

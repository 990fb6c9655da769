import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/app.ts";
import { startTestApp, type TestApp } from "./helpers.ts";

// Behind one reverse proxy the socket's peer is the proxy, and the proxy *appends* the address it
// saw to X-Forwarded-For. Anything to the left of that came from the client and may be forged.

const PROXY = "10.0.0.1";

async function failedLogin(app: FastifyInstance, remoteAddress: string, forwardedFor?: string, username = "nobody") {
  return app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password: "wrong" },
    headers: { authorization: "", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    remoteAddress,
  });
}

async function lastAuditAddress(app: FastifyInstance): Promise<string | null> {
  const row = await app.database.db.auditEntry.findFirst({ orderBy: { id: "desc" } });
  return row?.ip ?? null;
}

describe.each([
  ["a hop count", "1"],
  ["proxy CIDRs", "10.0.0.0/8, ::1"],
])("TRUST_PROXY as %s", (_kind, setting) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { trustProxy: loadConfig({ TRUST_PROXY: setting }).trustProxy });
  });
  afterAll(async () => t?.close());

  it("takes the address the proxy appended, not a forged left-most X-Forwarded-For", async () => {
    await failedLogin(t.app, PROXY, "6.6.6.6, 203.0.113.7");
    expect(await lastAuditAddress(t.app)).toBe("203.0.113.7");
  });

  it("cannot be used to dodge the per-address login limit by rotating forged addresses", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 31; i++)
      codes.push((await failedLogin(t.app, PROXY, `6.6.${i}.1, 198.51.100.9`, `user${i}`)).statusCode);
    expect(codes.slice(0, 30).every((code) => code === 401)).toBe(true);
    expect(codes[30]).toBe(429);
  });
});

describe("TRUST_PROXY with proxy CIDRs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { trustProxy: loadConfig({ TRUST_PROXY: "10.0.0.0/8" }).trustProxy });
  });
  afterAll(async () => t?.close());

  it("ignores X-Forwarded-For from a client that is not one of the proxies", async () => {
    await failedLogin(t.app, "198.51.100.1", "1.2.3.4");
    expect(await lastAuditAddress(t.app)).toBe("198.51.100.1");
  });
});

describe("TRUST_PROXY settings", () => {
  it("accepts off, a hop count and addresses/CIDRs; refuses true and garbage", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "loopback, 172.16.0.0/12,fd00::/8" }).trustProxy).toEqual([
      "loopback",
      "172.16.0.0/12",
      "fd00::/8",
    ]);
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/number of proxies/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/33" })).toThrow(/bad: 10\.0\.0\.0\/33/);
    expect(() => loadConfig({ TRUST_PROXY: "proxy.example" })).toThrow(/bad: proxy\.example/);
  });
});

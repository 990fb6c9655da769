import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../src/auth/secrets.ts";
import { createTask, issueToken, runNow, startTestApp, type TestApp, waitForRun } from "./helpers.ts";

/** Follows an SSE response; `endsWithin(ms)` says whether it ended by then (keeps reading otherwise). */
function watch(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch {
      // A destroyed connection ends the stream with an error: ended all the same.
    }
    return true;
  })();
  return {
    endsWithin: (ms: number) =>
      Promise.race([ended, new Promise<false>((resolve) => setTimeout(() => resolve(false), ms))]),
    stop: () => reader.cancel().catch(() => {}),
  };
}

describe("an open SSE stream after its caller loses access", () => {
  let t: TestApp;
  let address: string;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { authRecheckMs: 200 });
    address = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => t?.close());

  async function follow(headers: Record<string, string>) {
    const task = await createTask(t.app, { command: "while true; do echo tick; sleep 0.1; done" });
    const runId = await runNow(t.app, task.id);
    await waitForRun(t.app, runId, (r) => r.status === "RUNNING");
    const res = await fetch(`${address}/api/runs/${runId}/stream`, { headers });
    expect(res.status).toBe(200);
    return { res, runId };
  }

  it("closes within a re-check after the token is revoked", async () => {
    const token = await issueToken(t.app, "viewer", "streamer");
    const { res, runId } = await follow({ authorization: `Bearer ${token}` });
    const stream = watch(res);
    // Still flowing while the token is valid, across several re-checks.
    expect(await stream.endsWithin(1000)).toBe(false);
    await t.app.database.db.apiToken.updateMany({
      where: { tokenHash: sha256(token) },
      data: { revokedAt: new Date() },
    });
    const started = Date.now();
    expect(await stream.endsWithin(5000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    await stream.stop();
    await t.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
  });

  it("closes when the session behind it ends", async () => {
    const { db } = t.app.database;
    const user = await db.user.findUniqueOrThrow({ where: { username: "test-admin" } });
    const secret = "session-secret-for-stream-test";
    await db.session.create({
      data: {
        id: sha256(secret),
        userId: user.id,
        csrfToken: "c",
        expiresAt: new Date(Date.now() + 60_000),
        lastSeenAt: new Date(),
      },
    });
    const { res, runId } = await follow({ cookie: `crondeck_session=${secret}` });
    const stream = watch(res);
    expect(await stream.endsWithin(500)).toBe(false);
    await db.session.deleteMany({ where: { id: sha256(secret) } });
    expect(await stream.endsWithin(5000)).toBe(true);
    await stream.stop();
    await t.app.inject({ method: "POST", url: `/api/runs/${runId}/cancel` });
  });
});

describe("purging auth records", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp("sqlite", { auditRetentionDays: 30 });
  });
  afterAll(async () => t?.close());

  it("deletes expired sessions and audit entries past the retention, and keeps the rest", async () => {
    const { db } = t.app.database;
    const user = await db.user.findUniqueOrThrow({ where: { username: "test-admin" } });
    const now = new Date();
    const day = 86_400_000;
    await db.session.createMany({
      data: [
        { id: "expired", userId: user.id, csrfToken: "c", expiresAt: new Date(now.getTime() - 1000), lastSeenAt: now },
        { id: "live", userId: user.id, csrfToken: "c", expiresAt: new Date(now.getTime() + day), lastSeenAt: now },
      ],
    });
    const entry = { actorName: "x", action: "task.run", targetType: "task" };
    await db.auditEntry.createMany({
      data: [
        { ...entry, at: new Date(now.getTime() - 31 * day), ip: "old" },
        { ...entry, at: new Date(now.getTime() - 29 * day), ip: "recent" },
      ],
    });
    expect(await t.app.purgeAuthRecords(now)).toMatchObject({ sessions: 1, auditEntries: 1 });
    expect((await db.session.findMany({ where: { id: { in: ["expired", "live"] } } })).map((s) => s.id)).toEqual([
      "live",
    ]);
    expect((await db.auditEntry.findMany({ where: { actorName: "x" } })).map((e) => e.ip)).toEqual(["recent"]);
  });
});

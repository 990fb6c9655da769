import type { Db } from "@crondeck/db";

/** What the login route may do with an attempt it has registered. */
export interface LoginTicket {
  /** Seconds until the caller may try again; 0: go on and check the password. */
  retryAfter: number;
  /** The caller proved the password: forget the user's recent attempts. */
  succeeded(): Promise<void>;
}

/**
 * Sign-in limits per user name and per client address over a sliding window, kept in the database
 * so that they hold across instances. Each attempt is recorded *before* its password is checked
 * and then counted, so a burst of parallel guesses gets no more of them verified than a slow series.
 */
export class LoginLimiter {
  constructor(
    private readonly db: Db,
    private readonly perUser = 9,
    private readonly perAddress = 30,
    private readonly windowMs = 60_000,
  ) {}

  async attempt(username: string, address: string, now = new Date()): Promise<LoginTicket> {
    const user = `u:${username.toLowerCase()}`.slice(0, 100);
    const addr = `a:${address}`.slice(0, 100);
    const [userRow, addrRow] = await Promise.all([
      this.db.loginAttempt.create({ data: { bucket: user, at: now } }),
      this.db.loginAttempt.create({ data: { bucket: addr, at: now } }),
    ]);
    const since = new Date(now.getTime() - this.windowMs);
    // Everything stored now counts, our own row and later ones included: if the k-th stored
    // attempt always sees at least k, no more than the limit can pass, however they interleave.
    const inWindow = (bucket: string) =>
      this.db.loginAttempt.findMany({
        where: { bucket, at: { gt: since } },
        orderBy: { at: "asc" },
        select: { at: true },
      });
    const [userSeen, addrSeen] = await Promise.all([inWindow(user), inWindow(addr)]);
    const over = [
      userSeen.length > this.perUser ? userSeen : null,
      addrSeen.length > this.perAddress ? addrSeen : null,
    ].filter((rows): rows is Array<{ at: Date }> => rows !== null);
    if (over.length > 0) {
      // A refused attempt is not counted, so a flood neither grows the table nor extends the block.
      await this.db.loginAttempt.deleteMany({ where: { id: { in: [userRow.id, addrRow.id] } } });
      const until = Math.max(...over.map((rows) => (rows[0] as { at: Date }).at.getTime() + this.windowMs));
      return { retryAfter: Math.max(1, Math.ceil((until - now.getTime()) / 1000)), succeeded: async () => {} };
    }
    return {
      retryAfter: 0,
      succeeded: async () => {
        await this.db.loginAttempt.deleteMany({ where: { bucket: user } });
      },
    };
  }

  /** Drops attempts older than the window (maintenance). */
  async purge(now = new Date()): Promise<number> {
    const { count } = await this.db.loginAttempt.deleteMany({
      where: { at: { lte: new Date(now.getTime() - this.windowMs) } },
    });
    return count;
  }
}

/**
 * Counts failed logins per user name and per client address over a sliding minute. Once either
 * is over its limit, further attempts are refused before the password hash is even computed.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly perUser = 9,
    private readonly perAddress = 30,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until a refused caller may try again, or 0 when it may try now. */
  retryAfter(username: string, address: string, now = Date.now()): number {
    const user = this.#recent(`u:${username.toLowerCase()}`, now);
    const addr = this.#recent(`a:${address}`, now);
    const blocked = [user.length >= this.perUser ? user : null, addr.length >= this.perAddress ? addr : null].filter(
      (times): times is number[] => times !== null,
    );
    if (blocked.length === 0) return 0;
    const until = Math.max(...blocked.map((times) => (times[0] as number) + this.windowMs));
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  failed(username: string, address: string, now = Date.now()): void {
    for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.set(key, times);
    }
  }

  succeeded(username: string): void {
    this.#failures.delete(`u:${username.toLowerCase()}`);
  }

  #recent(key: string, now: number): number[] {
    const times = (this.#failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }
}

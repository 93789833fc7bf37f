/**
 * A token bucket holding at most one token, refilled at `ratePerSecond`: requests leave at least
 * 1/rate apart, so any one-second window holds at most `rate` of them. `jitterAllowanceMs` widens
 * that window (default 50 ms: any `rate + 1` consecutive requests leave at least 1.05 s apart) so
 * that network and scheduling jitter between us and the provider — which counts arrivals — cannot
 * squeeze one request too many into its window; the pace stays at about 95% of the configured one.
 * One limiter is shared by everything that sends in the process; `pauseFor` honours retry-after.
 */
export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  readonly intervalMs: number;
  private nextFreeAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number | null,
    private readonly clock: Clock = realClock,
    jitterAllowanceMs = 50,
  ) {
    this.intervalMs = ratePerSecond ? (1000 + jitterAllowanceMs) / ratePerSecond : 0;
    this.nextFreeAt = clock.now();
  }

  /** Resolves when the caller may send one request. Callers are served in arrival order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const wait = this.nextFreeAt - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      this.nextFreeAt = Math.max(this.nextFreeAt, this.clock.now()) + this.intervalMs;
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Nobody sends for `ms` (the provider's retry-after). */
  pauseFor(ms: number): void {
    this.nextFreeAt = Math.max(this.nextFreeAt, this.clock.now() + ms);
  }
}

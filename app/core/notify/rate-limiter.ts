/**
 * A token bucket holding at most one token, refilled at `ratePerSecond`: requests leave at least
 * 1/rate apart, so any one-second window holds at most `rate` of them. `jitterAllowanceMs` widens
 * that window (default 50 ms: any `rate + 1` consecutive requests leave at least 1.05 s apart) so
 * that network and scheduling jitter between us and the provider — which counts arrivals — cannot
 * squeeze one request too many into its window; the pace stays at about 95% of the configured one.
 *
 * Where the bucket lives is the `SlotStore`'s business: in this process (`LocalSlots`), or in the
 * database, shared by every dispatcher of every process and host (app/models/send-rate.server.ts,
 * ADR 0017). A request takes the token when it is there — atomically — and otherwise sleeps until
 * it should be and asks again. Taking at the moment of sending, never reserving a slot ahead, keeps
 * a late sender (a busy event loop, a slow host) from being followed too closely by an early one.
 * `pauseFor` honours the provider's retry-after for everyone who shares the store.
 */
export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Hands out send slots at least `intervalMs` apart: `take` resolves to 0 when the caller got one
 * (and may send now), else to how long until one should be free.
 */
export interface SlotStore {
  take(intervalMs: number): Promise<number>;
  /** No slot before `ms` from now. */
  pause(ms: number): Promise<void>;
}

/** Slots of this process only. */
class LocalSlots implements SlotStore {
  private nextFreeAt: number;

  constructor(private readonly clock: Clock = realClock) {
    this.nextFreeAt = clock.now();
  }

  async take(intervalMs: number): Promise<number> {
    const now = this.clock.now();
    if (now < this.nextFreeAt) return this.nextFreeAt - now;
    this.nextFreeAt = now + intervalMs;
    return 0;
  }

  async pause(ms: number): Promise<void> {
    this.nextFreeAt = Math.max(this.nextFreeAt, this.clock.now() + ms);
  }
}

export class RateLimiter {
  readonly intervalMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number | null,
    private readonly clock: Clock = realClock,
    jitterAllowanceMs = 50,
    private readonly slots: SlotStore = new LocalSlots(clock),
  ) {
    this.intervalMs = ratePerSecond ? (1000 + jitterAllowanceMs) / ratePerSecond : 0;
  }

  /** Resolves when the caller may send one request. Callers of one limiter are served in arrival order. */
  take(): Promise<void> {
    if (!this.ratePerSecond) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        const wait = await this.slots.take(this.intervalMs);
        if (wait <= 0) return;
        await this.clock.sleep(wait);
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Nobody sends for `ms` (the provider's retry-after). */
  pauseFor(ms: number): Promise<void> {
    return this.slots.pause(ms);
  }
}

/**
 * A token bucket holding at most one token, refilled at `ratePerSecond`: requests leave at least
 * 1/rate apart, so any one-second window holds at most `rate` of them. `jitterAllowanceMs` widens
 * that window (default 40 ms: any `rate + 1` consecutive requests leave at least 1.04 s apart) so
 * that network and scheduling jitter between us and the provider — which counts arrivals — cannot
 * squeeze one request too many into its window; the pace stays at about 96% of the configured one.
 *
 * Where the bucket lives is the `SlotStore`'s business: in this process (`LocalSlots`), or in the
 * database, shared by every dispatcher of every process and host (app/models/send-rate.server.ts,
 * ADR 0017). Slots are handed out on a schedule, each one interval after the one before: a caller
 * may reserve the next slot when it is at most one interval away, and sleeps until it. Asking only
 * when the slot was already free lost the time of every round trip and every late wake-up (the
 * next slot counted from the moment it was taken), about a tenth of the rate on a busy machine; a
 * reservation keeps the schedule, and never more than one interval ahead, so no sender is followed
 * by more than the rate allows. `pauseFor` honours the provider's retry-after for everyone who
 * shares the store.
 */
export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A slot reserved `sendInMs` from now (0: send at once), or none free yet: ask again in `askAgainInMs`. */
export type SlotAnswer = { sendInMs: number } | { askAgainInMs: number };

/**
 * Hands out send slots `intervalMs` apart, on a schedule: a slot at most `intervalMs` ahead is
 * reserved for the caller, a later one is not.
 */
export interface SlotStore {
  take(intervalMs: number): Promise<SlotAnswer>;
  /** No slot before `ms` from now. */
  pause(ms: number): Promise<void>;
}

/** Slots of this process only. */
export class LocalSlots implements SlotStore {
  private nextFreeAt: number;

  constructor(private readonly clock: Clock = realClock) {
    this.nextFreeAt = clock.now();
  }

  async take(intervalMs: number): Promise<SlotAnswer> {
    const now = this.clock.now();
    if (this.nextFreeAt - now > intervalMs) return { askAgainInMs: this.nextFreeAt - now - intervalMs };
    const at = Math.max(this.nextFreeAt, now);
    this.nextFreeAt = at + intervalMs;
    return { sendInMs: at - now };
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
    jitterAllowanceMs = 40,
    private readonly slots: SlotStore = new LocalSlots(clock),
  ) {
    this.intervalMs = ratePerSecond ? (1000 + jitterAllowanceMs) / ratePerSecond : 0;
  }

  /** Resolves when the caller may send one request. Callers of one limiter are served in arrival order. */
  take(): Promise<void> {
    if (!this.ratePerSecond) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        const answer = await this.slots.take(this.intervalMs);
        if ("sendInMs" in answer) {
          if (answer.sendInMs > 0) await this.clock.sleep(answer.sendInMs);
          return;
        }
        await this.clock.sleep(Math.max(1, answer.askAgainInMs));
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

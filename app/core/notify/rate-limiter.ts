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
 * may reserve a slot at most RESERVE_AHEAD_MS (or one interval, if longer) away and sleeps until
 * it, while the next caller asks. Taking a slot only once it was free lost the time of every round
 * trip and every late wake-up (the next slot counted from the moment it was taken): 4 workers on a
 * busy machine reached 60–89% of the rate, and on SQLite, where asking waits for the one writer,
 * half. Reservations keep the schedule as long as someone asks within the window; the spacing of
 * the slots themselves never changes, so no window holds more than the rate. `pauseFor` honours the
 * provider's retry-after for everyone who shares the store (slots reserved before it still go:
 * at most the few within the window). A caller woken more than half the allowance after its slot
 * gives it up and reserves another, so lateness on our side cannot eat the allowance; a slot whose
 * answer took longer than that to come back counts as late (its moment is known only to within the
 * round trip; a busy database or event loop once let requests leave up to 200 ms late, unnoticed).
 */
export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A slot reserved `sendInMs` from now (0: send at once), or none free yet: ask again in `askAgainInMs`. */
export type SlotAnswer = { sendInMs: number } | { askAgainInMs: number };

/** How far ahead a slot may be reserved (at least one interval). */
const RESERVE_AHEAD_MS = 250;

/**
 * Hands out send slots `intervalMs` apart, on a schedule: a slot at most `aheadMs` away is
 * reserved for the caller, a later one is not.
 */
export interface SlotStore {
  take(intervalMs: number, aheadMs: number): Promise<SlotAnswer>;
  /** No slot before `ms` from now. */
  pause(ms: number): Promise<void>;
}

/** Slots of this process only. */
export class LocalSlots implements SlotStore {
  private nextFreeAt: number;

  constructor(private readonly clock: Clock = realClock) {
    this.nextFreeAt = clock.now();
  }

  async take(intervalMs: number, aheadMs: number): Promise<SlotAnswer> {
    const now = this.clock.now();
    if (this.nextFreeAt - now > aheadMs) return { askAgainInMs: this.nextFreeAt - now - aheadMs };
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
  /** Slots reserved but not used, because the caller would have sent too late (benchmarks, tests). */
  slotsGivenUp = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number | null,
    private readonly clock: Clock = realClock,
    private readonly jitterAllowanceMs = 40,
    private readonly slots: SlotStore = new LocalSlots(clock),
  ) {
    this.intervalMs = ratePerSecond ? (1000 + jitterAllowanceMs) / ratePerSecond : 0;
  }

  /**
   * Resolves when the caller may send one request. Callers of one limiter reserve in arrival
   * order; one asks while the one before sleeps until its slot.
   */
  async take(): Promise<void> {
    if (!this.ratePerSecond) return;
    for (;;) {
      const { earliest, latest } = await this.reserve();
      // Never before the slot: sleep until the latest moment it can be. Late by more than half the
      // allowance, reckoned from the earliest moment it can be (a slow answer is lateness too: the
      // database read its clock somewhere in the round trip), this request would leave closer than
      // the allowance to the ones after it: the slot is given up and a new one reserved.
      if (latest - earliest <= this.jitterAllowanceMs / 2) {
        const wait = latest - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        if (this.clock.now() - earliest <= this.jitterAllowanceMs / 2) return;
      }
      this.slotsGivenUp++;
    }
  }

  /**
   * The next slot for this caller, in arrival order, as the local moments it can be at: the store
   * answers "in n ms" from its own clock, read at some moment between our question and its answer.
   */
  private reserve(): Promise<{ earliest: number; latest: number }> {
    const ahead = Math.max(this.intervalMs, RESERVE_AHEAD_MS);
    const reserved = this.queue.then(async () => {
      for (;;) {
        const asked = this.clock.now();
        const answer = await this.slots.take(this.intervalMs, ahead);
        if ("sendInMs" in answer)
          return { earliest: asked + answer.sendInMs, latest: this.clock.now() + answer.sendInMs };
        await this.clock.sleep(Math.max(1, answer.askAgainInMs));
      }
    });
    this.queue = reserved.then(
      () => {},
      () => {},
    );
    return reserved;
  }

  /** Nobody sends for `ms` (the provider's retry-after). */
  pauseFor(ms: number): Promise<void> {
    return this.slots.pause(ms);
  }
}

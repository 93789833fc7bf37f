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
 * gives it up and reserves another, so lateness on our side cannot eat the allowance. A slot's moment
 * is translated from the store's clock to ours by the offset of the quickest recent answer, not
 * counted from the arrival of its own answer, which a busy event loop may have held up.
 */
export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A slot reserved `sendInMs` after `storeNow` (the store's clock when it answered; 0: send at once),
 * or none free yet: ask again in `askAgainInMs`.
 */
export type SlotAnswer = { sendInMs: number; storeNow: number } | { askAgainInMs: number };

/** Answers whose clock reading is weighed (a few seconds' worth at usual rates; a clock step ages out). */
const CLOCK_SAMPLES = 16;

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
    return { sendInMs: at - now, storeNow: now };
  }

  async pause(ms: number): Promise<void> {
    this.nextFreeAt = Math.max(this.nextFreeAt, this.clock.now() + ms);
  }
}

export class RateLimiter {
  readonly intervalMs: number;
  /** Slots reserved but not used, because the caller would have sent too late (benchmarks, tests). */
  slotsGivenUp = 0;
  private clockSamples: { offset: number; roundTrip: number }[] = [];
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
      const slotAt = await this.reserve();
      const wait = slotAt - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      // Woken too late (a busy event loop, a descheduled process), this request would leave closer
      // than the allowance to the ones after it: the slot is given up and a new one reserved.
      if (this.clock.now() - slotAt <= this.jitterAllowanceMs / 2) return;
      this.slotsGivenUp++;
    }
  }

  /** The next slot for this caller, in arrival order, as a moment of our clock. */
  private reserve(): Promise<number> {
    const ahead = Math.max(this.intervalMs, RESERVE_AHEAD_MS);
    const reserved = this.queue.then(async () => {
      for (;;) {
        const asked = this.clock.now();
        const answer = await this.slots.take(this.intervalMs, ahead);
        if ("sendInMs" in answer) {
          const offset = this.storeOffset(answer.storeNow, asked, this.clock.now());
          return answer.storeNow + answer.sendInMs - offset;
        }
        await this.clock.sleep(Math.max(1, answer.askAgainInMs));
      }
    });
    this.queue = reserved.then(
      () => {},
      () => {},
    );
    return reserved;
  }

  /**
   * How far the store's clock is ahead of ours, as NTP reckons it: the store read its clock
   * somewhere between our question and its answer, so the midpoint is the estimate and half the
   * round trip its error. The estimate of the quickest of the last few answers is used: an answer
   * that sat in a busy event loop or a queue says little about the clocks, and timing the slot from
   * its arrival once sent requests 200 ms after their slot, unnoticed.
   */
  private storeOffset(storeNow: number, asked: number, answered: number): number {
    this.clockSamples.push({ offset: storeNow - (asked + answered) / 2, roundTrip: answered - asked });
    if (this.clockSamples.length > CLOCK_SAMPLES) this.clockSamples.shift();
    let best = this.clockSamples[0];
    for (const sample of this.clockSamples) if (sample.roundTrip < best.roundTrip) best = sample;
    return best.offset;
  }

  /** Nobody sends for `ms` (the provider's retry-after). */
  pauseFor(ms: number): Promise<void> {
    return this.slots.pause(ms);
  }
}

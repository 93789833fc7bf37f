import { describe, expect, it } from "vitest";
import {
  describeWait,
  liveState,
  refundAttempt,
  reserveAttempt,
  retryAfterSeconds,
  type ThrottleRule,
  type ThrottleState,
  waitAfter,
} from "./throttle";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const rule: ThrottleRule = {
  free: 3,
  baseDelayMs: 30 * SECOND,
  maxDelayMs: 15 * MINUTE,
  forgetAfterMs: 24 * 60 * MINUTE,
};
const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

/** Attempts one after another at `now`, as concurrent requests reach the database: the passed ones. */
function attemptsAt(state: ThrottleState | null, now: number, count: number) {
  let current = state;
  let passed = 0;
  let retryAt: number | null = null;
  for (let i = 0; i < count; i++) {
    const result = reserveAttempt(current, rule, now);
    if (result.allowed) {
      current = result.next;
      passed++;
    } else retryAt = result.retryAt;
  }
  return { state: current, passed, retryAt };
}

describe("slowing down password guessing", () => {
  it("lets the free failures through, then waits 30 s, doubling to a 15-minute cap", () => {
    const waits = Array.from({ length: 12 }, (_, i) => waitAfter(i + 1, rule) / SECOND);
    expect(waits).toEqual([0, 0, 30, 60, 120, 240, 480, 900, 900, 900, 900, 900]);
  });

  it("never overflows, however many failures there were", () => {
    expect(waitAfter(1e9, rule)).toBe(15 * MINUTE);
  });

  it("passes exactly the free attempts when many arrive at the same moment", () => {
    const { passed, retryAt, state } = attemptsAt(null, T0, 60);
    expect(passed).toBe(3);
    expect(state?.failures).toBe(3);
    expect(retryAt).toBe(T0 + 30 * SECOND);
  });

  it("passes one attempt per wait once the free ones are used, and each failure doubles the wait", () => {
    let { state } = attemptsAt(null, T0, 3);
    const early = reserveAttempt(state, rule, T0 + 29 * SECOND);
    expect(early.allowed).toBe(false);
    const after30s = attemptsAt(state, T0 + 30 * SECOND, 10);
    expect(after30s.passed).toBe(1);
    expect(after30s.retryAt).toBe(T0 + 90 * SECOND);
    state = after30s.state;
    expect(reserveAttempt(state, rule, T0 + 90 * SECOND).allowed).toBe(true);
  });

  it("forgets a key after a day without failures, but never while it is waiting", () => {
    const { state } = attemptsAt(null, T0, 3);
    expect(liveState(state, rule, T0 + 23 * 60 * MINUTE)).not.toBeNull();
    expect(liveState(state, rule, T0 + 24 * 60 * MINUTE)).toBeNull();
    const long = { failures: 40, lastFailureAt: T0, blockedUntil: T0 + 25 * 60 * MINUTE };
    expect(liveState(long, rule, T0 + 24 * 60 * MINUTE)).toEqual(long);
    const fresh = reserveAttempt(state, rule, T0 + 24 * 60 * MINUTE);
    expect(fresh.allowed && fresh.next.failures).toBe(1);
  });

  it("gives back an attempt that turned out to be right, as if it had never been counted", () => {
    const { state } = attemptsAt(null, T0, 3);
    expect(state?.blockedUntil).toBe(T0 + 30 * SECOND);
    const refunded = refundAttempt(state, rule);
    expect(refunded).toEqual({ failures: 2, lastFailureAt: T0, blockedUntil: null });
    expect(reserveAttempt(refunded, rule, T0).allowed).toBe(true);
    expect(refundAttempt({ failures: 1, lastFailureAt: T0, blockedUntil: null }, rule)).toBeNull();
    expect(refundAttempt(null, rule)).toBeNull();
  });

  it("keeps attempts counted by others when one is given back", () => {
    const free = attemptsAt(null, T0, 3);
    const later = attemptsAt(free.state, T0 + 30 * SECOND, 1);
    expect(later.state?.failures).toBe(4);
    // The fourth attempt was the right password: three failures remain, with the wait three earn.
    expect(refundAttempt(later.state, rule)).toEqual({
      failures: 3,
      lastFailureAt: T0 + 30 * SECOND,
      blockedUntil: T0 + 60 * SECOND,
    });
  });

  it("rounds Retry-After up to whole seconds, never below one, and words the wait", () => {
    expect(retryAfterSeconds(T0 + 1500, T0)).toBe(2);
    expect(retryAfterSeconds(T0 - 10, T0)).toBe(1);
    expect(describeWait(1)).toBe("1 second");
    expect(describeWait(30)).toBe("30 seconds");
    expect(describeWait(61)).toBe("2 minutes");
    expect(describeWait(60)).toBe("1 minute");
  });
});

import { describe, expect, it } from "vitest";
import { type Clock, RateLimiter } from "./rate-limiter";

/** A clock that only moves when someone sleeps: the limiter's decisions, without real waiting. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe("the rate limiter", () => {
  it("spaces requests so that no one-second window holds more than the rate", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(4, clock, 30);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 13 }, async () => {
        await limiter.take();
        times.push(clock.now());
      }),
    );
    expect(times[0]).toBe(0);
    for (let i = 4; i < times.length; i++) expect(times[i] - times[i - 4]).toBeGreaterThan(1000);
    // …and not much slower than the rate: 12 intervals of 257.5 ms.
    expect(times.at(-1)).toBeCloseTo(12 * 257.5, 5);
  });

  it("lets nobody through during a retry-after pause", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(100, clock);
    await limiter.take();
    await limiter.pauseFor(2000);
    await limiter.take();
    expect(clock.now()).toBe(2000);
  });

  it("does not wait at all without a limit", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(null, clock);
    for (let i = 0; i < 10; i++) await limiter.take();
    expect(clock.sleeps).toEqual([]);
  });
});

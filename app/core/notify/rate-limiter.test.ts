import { describe, expect, it } from "vitest";
import { type Clock, LocalSlots, RateLimiter, type SlotStore } from "./rate-limiter";

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

  it("keeps to the schedule when every question to the store takes time (a database round trip)", async () => {
    const clock = fakeClock();
    const local = new LocalSlots(clock);
    // 5 ms to reach the store each time: were a slot only taken once free, each request would
    // start the next interval 5 ms (and a timer's lateness) late, and the pace would fall short.
    const distant: SlotStore = {
      take: async (interval, ahead) => {
        await clock.sleep(5);
        return local.take(interval, ahead);
      },
      pause: (ms) => local.pause(ms),
    };
    const limiter = new RateLimiter(4, clock, 30, distant);
    const times: number[] = [];
    for (let i = 0; i < 13; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeCloseTo(257.5, 5);
    for (let i = 4; i < times.length; i++) expect(times[i] - times[i - 4]).toBeGreaterThan(1000);
  });

  it("gives up a slot whose answer came back too late to be sure of its moment, and never squeezes two requests", async () => {
    const clock = fakeClock();
    const local = new LocalSlots(clock);
    let calls = 0;
    // The store reads its clock at once, but its second answer takes 100 ms to come back (a busy
    // database or event loop): sent "257.5 ms after the answer", that request would leave 100 ms
    // after its slot and only 157.5 ms before the next one.
    const slow: SlotStore = {
      take: async (interval, ahead) => {
        const answer = await local.take(interval, ahead);
        if (++calls === 2) await clock.sleep(100);
        return answer;
      },
      pause: (ms) => local.pause(ms),
    };
    const limiter = new RateLimiter(4, clock, 30, slow);
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    expect(limiter.slotsGivenUp).toBe(1);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(257.5);
    expect(times).toEqual([0, 515, 772.5, 1030]);
  });

  it("reserves no slot further ahead than it is asked to", async () => {
    const clock = fakeClock();
    const local = new LocalSlots(clock);
    expect(await local.take(100, 250)).toEqual({ sendInMs: 0 });
    expect(await local.take(100, 250)).toEqual({ sendInMs: 100 });
    expect(await local.take(100, 250)).toEqual({ sendInMs: 200 });
    // The next free slot is 300 ms away: not reserved; ask again when it is 250 ms away.
    expect(await local.take(100, 250)).toEqual({ askAgainInMs: 50 });
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

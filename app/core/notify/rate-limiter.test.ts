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

/** The moments, on `clock`, at which `count` requests one after another were let through. */
async function sendTimes(limiter: RateLimiter, clock: Pick<Clock, "now">, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.take();
    times.push(clock.now());
  }
  return times;
}

/** A store in front of `local` whose `take` goes through `around` (a trip, a delay, another clock). */
function storeAround(
  local: LocalSlots,
  around: (take: () => ReturnType<SlotStore["take"]>) => ReturnType<SlotStore["take"]>,
): SlotStore {
  return {
    take: (interval, ahead) => around(() => local.take(interval, ahead)),
    pause: (ms) => local.pause(ms),
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
    const distant = storeAround(local, async (take) => {
      await clock.sleep(5);
      return take();
    });
    const times = await sendTimes(new RateLimiter(4, clock, 30, distant), clock, 13);
    // The store read its clock at the end of each 5 ms trip, so the clocks' offset is estimated
    // 2.5 ms off (half the round trip, as NTP's would be): the first request, sent when its answer
    // came, left 2.5 ms closer to the second; all the others exactly one interval apart.
    for (let i = 1; i < times.length; i++)
      expect(Math.abs(times[i] - times[i - 1] - 257.5)).toBeLessThanOrEqual(2.5);
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 1]).toBeCloseTo(257.5, 5);
    for (let i = 4; i < times.length; i++) expect(times[i] - times[i - 4]).toBeGreaterThan(1000);
  });

  it("sends on its slot when the answer was held up after the store read its clock", async () => {
    const clock = fakeClock();
    const local = new LocalSlots(clock);
    let calls = 0;
    // The store reads its clock at once, but its second answer takes 100 ms to come back (a busy
    // event loop): timed from its arrival, that request would leave 100 ms after its slot and only
    // 157.5 ms before the next one. The clocks are known from the quick answers.
    const slow = storeAround(local, async (take) => {
      const answer = await take();
      if (++calls === 2) await clock.sleep(100);
      return answer;
    });
    const limiter = new RateLimiter(4, clock, 30, slow);
    expect(await sendTimes(limiter, clock, 4)).toEqual([0, 257.5, 515, 772.5]);
    expect(limiter.slotsGivenUp).toBe(0);
  });

  it("times slots by the store's clock, however far it is from ours", async () => {
    const clock = fakeClock();
    const local = new LocalSlots(clock);
    // A database host whose clock is 5 s ahead, 2 ms away each way.
    const remote = storeAround(local, async (take) => {
      await clock.sleep(2);
      const answer = await take();
      await clock.sleep(2);
      return "sendInMs" in answer ? { ...answer, storeNow: answer.storeNow + 5000 } : answer;
    });
    const limiter = new RateLimiter(4, clock, 30, remote);
    const times = await sendTimes(limiter, clock, 4);
    // The first slot was "now" when the store read its clock (2 ms): it leaves when the answer
    // arrives (4 ms); every later one on its slot, on our clock, none given up.
    expect(times).toEqual([4, 259.5, 517, 774.5]);
    expect(limiter.slotsGivenUp).toBe(0);
  });

  it("gives up a slot it woke up too late for, and never squeezes two requests", async () => {
    let now = 0;
    let sleeps = 0;
    // The second sleep overshoots by 40 ms: a busy event loop, a descheduled process.
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        now += ms + (++sleeps === 1 ? 40 : 0);
      },
    };
    const limiter = new RateLimiter(4, clock, 30);
    const times = await sendTimes(limiter, clock, 4);
    expect(limiter.slotsGivenUp).toBe(1);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(257.5);
  });

  it("reserves no slot further ahead than it is asked to", async () => {
    const clock = fakeClock();
    const local = new LocalSlots(clock);
    expect(await local.take(100, 250)).toEqual({ sendInMs: 0, storeNow: 0 });
    expect(await local.take(100, 250)).toEqual({ sendInMs: 100, storeNow: 0 });
    expect(await local.take(100, 250)).toEqual({ sendInMs: 200, storeNow: 0 });
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

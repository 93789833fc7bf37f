import { describe, expect, it } from "vitest";
import { estimateSend, formatRemaining } from "./send-estimate";

const now = Date.parse("2026-12-01T10:00:10Z");
const defaults = { requestsPerSecond: 2, batchSize: 100, nowMs: now };

describe("how long a send still takes", () => {
  it("a send ten seconds old at 8% is about to finish, not twelve minutes away", () => {
    // 2,000 emails; 160 sent in the first 0.8 s.
    const estimate = estimateSend({
      ...defaults,
      open: 1840,
      sentInWindow: 160,
      firstSentAtMs: now - 800,
    });
    expect(estimate.basis).toBe("measured");
    expect(estimate.etaSeconds).toBeLessThanOrEqual(10);
    expect(formatRemaining(estimate.etaSeconds!)).toBe("about 10 s");
  });

  it("before anything is sent, assumes the configured rate", () => {
    const estimate = estimateSend({ ...defaults, open: 12_000, sentInWindow: 0, firstSentAtMs: null });
    expect(estimate).toEqual({ ratePerSecond: 200, etaSeconds: 60, basis: "configured" });
  });

  it("never assumes more than the configured rate allows, even right after the first batch", () => {
    const estimate = estimateSend({ ...defaults, open: 1000, sentInWindow: 100, firstSentAtMs: now - 5 });
    expect(estimate.ratePerSecond).toBe(200);
  });

  it("follows a provider slower than the configured rate", () => {
    const estimate = estimateSend({ ...defaults, open: 600, sentInWindow: 300, firstSentAtMs: now - 30_000 });
    expect(estimate).toMatchObject({ ratePerSecond: 10, etaSeconds: 60 });
  });

  it("adds the wait the provider asked for while it throttles", () => {
    const estimate = estimateSend({
      ...defaults,
      open: 200,
      sentInWindow: 100,
      firstSentAtMs: now - 1000,
      throttledUntilMs: now + 30_000,
    });
    expect(estimate.etaSeconds).toBe(32);
  });

  it("has nothing to estimate once every email is resolved", () => {
    expect(
      estimateSend({ ...defaults, open: 0, sentInWindow: 10, firstSentAtMs: now - 1000 }).etaSeconds,
    ).toBeNull();
  });
});

describe("the remaining time in words", () => {
  it("uses seconds, minutes, then hours and minutes", () => {
    expect(formatRemaining(0.2)).toBe("about 1 s");
    expect(formatRemaining(59)).toBe("about 59 s");
    expect(formatRemaining(61)).toBe("about 2 min");
    expect(formatRemaining(3600)).toBe("about 1 h");
    expect(formatRemaining(2 * 3600 + 600)).toBe("about 2 h 10 min");
  });
});

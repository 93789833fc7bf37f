import { describe, expect, it } from "vitest";
import { backoffDelay, classifySendError, isThrottling, parseRetryAfter } from "./backoff";

describe("backoff", () => {
  it("grows exponentially up to the cap, with full jitter", () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
  });

  it("reads retry-after in seconds or as a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(
      parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")),
    ).toBe(5000);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });

  it("waits out a 429 without counting it, retries 5xx and network errors, and gives up on bad requests", () => {
    expect(
      classifySendError({ statusCode: 429, name: "rate_limit_exceeded" }, { "retry-after": "3" }),
    ).toMatchObject({
      kind: "rate-limited",
      waitMs: 3000,
    });
    expect(classifySendError({ statusCode: 429, name: "daily_quota_exceeded" }, null).kind).toBe("retryable");
    expect(classifySendError({ statusCode: 500, name: "internal_server_error" }, null).kind).toBe(
      "retryable",
    );
    expect(classifySendError({ statusCode: null, name: "application_error" }, null).kind).toBe("retryable");
    expect(classifySendError({ statusCode: 409, name: "concurrent_idempotent_requests" }, null).kind).toBe(
      "retryable",
    );
    expect(classifySendError({ statusCode: 409, name: "invalid_idempotent_request" }, null).kind).toBe(
      "permanent",
    );
    expect(classifySendError({ statusCode: 422, name: "validation_error", message: "bad to" }, null)).toEqual(
      {
        kind: "permanent",
        reason: "422 validation_error: bad to",
      },
    );
  });
});

describe("a batch's recorded reason", () => {
  it("reads a 429 as throttling, a spent quota or a 5xx as an error", () => {
    expect(isThrottling("429 rate_limit_exceeded: Too many requests")).toBe(true);
    expect(isThrottling("429 daily_quota_exceeded: quota")).toBe(false);
    expect(isThrottling("503 application_error: down")).toBe(false);
    expect(isThrottling(null)).toBe(false);
  });
});

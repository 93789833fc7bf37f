/** What to do after a send attempt that did not succeed. */
export type SendFailure =
  /** The provider asked us to slow down: wait, and do not count it as a failed attempt. */
  | { kind: "rate-limited"; waitMs: number; reason: string }
  /** Worth trying again later (5xx, network error, timeout, a concurrent request with the same key). */
  | { kind: "retryable"; reason: string }
  /** Trying again cannot help (the request itself is wrong). */
  | { kind: "permanent"; reason: string };

export type BackoffOptions = { baseMs: number; maxMs: number };
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * "Full jitter" exponential backoff (AWS architecture blog): a random wait between 0 and
 * base·2^(attempt−1), capped. The randomness spreads retries of many batches over time so that
 * they do not hit a recovering provider together. `attempt` counts from 1.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/** Reads a `retry-after` header: seconds, or an HTTP date. Returns milliseconds, or null. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The provider's error as the Resend SDK reports it ({ name, message, statusCode }). */
export type ProviderError = { name?: string; message?: string; statusCode?: number | null };

/**
 * Decides, from the provider's error and response headers, whether and when to try again.
 * `fallbackWaitMs` is used when a 429 carries no retry-after.
 */
export function classifySendError(
  error: ProviderError,
  headers: Record<string, string> | null,
  fallbackWaitMs = 1000,
): SendFailure {
  const status = error.statusCode ?? null;
  const reason = `${status ?? "network"} ${error.name ?? "error"}: ${error.message ?? "no message"}`;
  if (status === 429) {
    // A daily or monthly quota will not recover in seconds: count those as failed attempts.
    if (error.name === "daily_quota_exceeded" || error.name === "monthly_quota_exceeded") {
      return { kind: "retryable", reason };
    }
    return {
      kind: "rate-limited",
      waitMs: parseRetryAfter(headers?.["retry-after"]) ?? fallbackWaitMs,
      reason,
    };
  }
  if (status === null || status >= 500) return { kind: "retryable", reason };
  // The previous request with this key is still being processed: ask again later.
  if (status === 409 && error.name === "concurrent_idempotent_requests") return { kind: "retryable", reason };
  // A wrong or revoked key is an operator's mistake that can be fixed without losing the outbox.
  if (status === 401 || status === 403) return { kind: "retryable", reason };
  return { kind: "permanent", reason };
}

/**
 * Whether a batch's recorded reason is the provider pacing us (a 429 that is not a spent quota):
 * the batch waits and goes out later, nothing failed. The reason is the one `classifySendError`
 * writes ("429 rate_limit_exceeded: …").
 */
export function isThrottling(reason: string | null): boolean {
  return !!reason && /^429 /.test(reason) && !/^429 (daily|monthly)_quota_exceeded/.test(reason);
}

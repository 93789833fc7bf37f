/**
 * How long a send still takes, for the notice page. The dispatcher sends at most the configured
 * number of requests per second, each a batch of up to 100 emails: that is the ceiling. Once emails
 * go out, the pace measured since the first of them in the window is the better guide (the provider
 * may be slower, or throttling), never above the ceiling. A minute's count divided by a whole
 * minute, as before, made a send ten seconds old look six times slower than it was.
 */
export type SendEstimate = {
  /** Emails per second the estimate assumes. */
  ratePerSecond: number;
  /** Seconds until every open email is resolved at that rate; null when nothing is open. */
  etaSeconds: number | null;
  /** "measured": from emails already sent; "configured": from the send rate alone. */
  basis: "measured" | "configured";
};

export function estimateSend(input: {
  /** Emails not yet resolved (pending or sending). */
  open: number;
  /** Emails sent within the window. */
  sentInWindow: number;
  /** When the first of them was sent (ms since the epoch), or null. */
  firstSentAtMs: number | null;
  nowMs: number;
  /** The configured send rate: provider requests per second. */
  requestsPerSecond: number;
  /** Emails per request. */
  batchSize: number;
  /** The provider throttles us until then (ms since the epoch): nothing goes out before it. */
  throttledUntilMs?: number | null;
}): SendEstimate {
  const ceiling = input.requestsPerSecond * input.batchSize;
  let ratePerSecond = ceiling;
  let basis: SendEstimate["basis"] = "configured";
  if (input.sentInWindow > 0 && input.firstSentAtMs !== null) {
    // The first batch went out at once: count at least one request interval, so that a send a few
    // milliseconds old does not look infinitely fast.
    const elapsed = Math.max((input.nowMs - input.firstSentAtMs) / 1000, 1 / input.requestsPerSecond);
    ratePerSecond = Math.min(input.sentInWindow / elapsed, ceiling);
    basis = "measured";
  }
  const waitSeconds = Math.max(0, ((input.throttledUntilMs ?? 0) - input.nowMs) / 1000);
  return {
    ratePerSecond,
    etaSeconds:
      input.open > 0 && ratePerSecond > 0 ? Math.ceil(waitSeconds + input.open / ratePerSecond) : null,
    basis,
  };
}

/**
 * A duration as the notice page says it: "about 12 s", "about 4 min", "about 2 h 10 min".
 */
export function formatRemaining(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.ceil(seconds))} s`;
  if (seconds < 3600) return `about ${Math.ceil(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return minutes === 0 || minutes === 60
    ? `about ${minutes === 60 ? hours + 1 : hours} h`
    : `about ${hours} h ${minutes} min`;
}

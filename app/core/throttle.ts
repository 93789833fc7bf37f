/**
 * The arithmetic of slowing down password guessing (ADR 10). Pure: the caller keeps one state per
 * key (an account, an account and its source, an address…) and asks, before each password check,
 * whether an attempt may go ahead.
 *
 * An attempt is counted as a failure *before* the password is checked (`reserveAttempt`) and given
 * back afterwards when it was not one (`refundAttempt`), so that concurrent attempts can never pass
 * more password checks than the budget allows: each one sees the ones before it.
 */

/** How one kind of key slows down repeated failures. */
export type ThrottleRule = {
  /** Failures allowed before any wait. */
  free: number;
  /** The wait after the last free failure; it doubles with every further failure … */
  baseDelayMs: number;
  /** … up to this, so the wait grows but never becomes a lock-out. */
  maxDelayMs: number;
  /** A key with no failure for this long starts afresh. */
  forgetAfterMs: number;
};

/** What is kept per key. Times are milliseconds since the epoch. */
export type ThrottleState = {
  failures: number;
  lastFailureAt: number;
  /** No attempt before this time; null while failures are still free. */
  blockedUntil: number | null;
};

export type Reservation =
  | { allowed: true; next: ThrottleState }
  | { allowed: false; retryAt: number; state: ThrottleState };

/** The wait after `failures` failures in a row: none while they are free, then doubling, capped. */
export function waitAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.free) return 0;
  // 2 ** n overflows to Infinity for large counts; Math.min caps it either way.
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.min(failures - rule.free, 60));
}

/** The state as it stands at `now`: null when there is none or it has been forgotten. */
export function liveState(
  state: ThrottleState | null,
  rule: ThrottleRule,
  now: number,
): ThrottleState | null {
  if (!state || state.failures <= 0) return null;
  if (state.blockedUntil !== null && state.blockedUntil > now) return state;
  if (now - state.lastFailureAt >= rule.forgetAfterMs) return null;
  return state;
}

/**
 * Whether an attempt may go ahead at `now`. If it may, `next` is the state with this attempt
 * already counted as a failure (and the wait it earns); store it before checking the password.
 */
export function reserveAttempt(state: ThrottleState | null, rule: ThrottleRule, now: number): Reservation {
  const live = liveState(state, rule, now);
  if (live?.blockedUntil != null && live.blockedUntil > now) {
    return { allowed: false, retryAt: live.blockedUntil, state: live };
  }
  const failures = (live?.failures ?? 0) + 1;
  const wait = waitAfter(failures, rule);
  return {
    allowed: true,
    next: { failures, lastFailureAt: now, blockedUntil: wait > 0 ? now + wait : null },
  };
}

/**
 * Gives back one attempt counted in advance that turned out not to be a failure: the state is as
 * if it had never been counted (null when nothing is left). Other attempts counted meanwhile stay.
 */
export function refundAttempt(state: ThrottleState | null, rule: ThrottleRule): ThrottleState | null {
  if (!state || state.failures <= 1) return null;
  const failures = state.failures - 1;
  const wait = waitAfter(failures, rule);
  return {
    failures,
    lastFailureAt: state.lastFailureAt,
    blockedUntil: wait > 0 ? state.lastFailureAt + wait : null,
  };
}

/** Whole seconds until `retryAt`, at least 1: the value of a `Retry-After` header. */
export function retryAfterSeconds(retryAt: number, now: number): number {
  return Math.max(1, Math.ceil((retryAt - now) / 1000));
}

/** "30 seconds", "2 minutes": how long someone has to wait, for a message. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

import { data, type HeadersFunction } from "@remix-run/node";
import { describeWait } from "../core/throttle";

/** The answer to an attempt the throttle refused (ADR 10): 429 with `Retry-After`, always. */
export function tooManyAttempts(what: string, retryAfterSeconds: number) {
  return data(
    { ok: false as const, error: `${what} Try again in ${describeWait(retryAfterSeconds)}.` },
    { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } },
  );
}

/**
 * A route's `headers` export for pages whose action may answer 429: Remix passes only cookies on
 * from an action's headers to the page unless the route hands the others over itself.
 */
export const passRetryAfter: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

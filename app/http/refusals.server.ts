import { Refusal, type RefusalReason } from "../core/refusal";
import { jsonError } from "./json.server";

/** The one place where a domain refusal becomes an HTTP status. */
const STATUS: Record<RefusalReason, number> = {
  invalid: 400,
  "not-found": 404,
  conflict: 409,
  gone: 410,
  "too-large": 413,
  unavailable: 503,
};

export function refusalStatus(refusal: Refusal): number {
  return STATUS[refusal.reason];
}

/** Retry-After for a refusal that names when to come back (a full queue). */
function retryHeaders(refusal: Refusal): Record<string, string> {
  const seconds = refusal.details?.retryAfterSeconds;
  return typeof seconds === "number" ? { "Retry-After": String(Math.ceil(seconds)) } : {};
}

/** A refusal as the JSON APIs answer it: `{ error, details? }` with its status. */
export function refusalJson(refusal: Refusal, headers: Record<string, string> = {}): Response {
  return jsonError(refusalStatus(refusal), refusal.message, {
    details: refusal.details,
    headers: { ...headers, ...retryHeaders(refusal) },
  });
}

/** A refusal as a plain-text page response (what a loader throws to its error boundary). */
export function refusalText(refusal: Refusal): Response {
  return new Response(refusal.message, {
    status: refusalStatus(refusal),
    headers: { "content-type": "text/plain; charset=utf-8", ...retryHeaders(refusal) },
  });
}

export { Refusal };

/**
 * For a page loader: `work`'s result, or its refusal thrown as the plain-text response (e.g. 503
 * with Retry-After when the diff pool is full), instead of a crash.
 */
export async function refusedAsPage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof Refusal ? refusalText(error) : error;
  }
}

import { Refusal, type RefusalReason } from "../core/refusal";
import { jsonError } from "./json.server";

/** The one place where a domain refusal becomes an HTTP status. */
const STATUS: Record<RefusalReason, number> = {
  invalid: 400,
  "not-found": 404,
  conflict: 409,
  gone: 410,
  "too-large": 413,
};

export function refusalStatus(refusal: Refusal): number {
  return STATUS[refusal.reason];
}

/** A refusal as the JSON APIs answer it: `{ error, details? }` with its status. */
export function refusalJson(refusal: Refusal, headers: Record<string, string> = {}): Response {
  return jsonError(refusalStatus(refusal), refusal.message, { details: refusal.details, headers });
}

/** A refusal as a plain-text page response (what a loader throws to its error boundary). */
export function refusalText(refusal: Refusal): Response {
  return new Response(refusal.message, {
    status: refusalStatus(refusal),
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

export { Refusal };

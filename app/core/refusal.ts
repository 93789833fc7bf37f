/**
 * Why the domain said no. Models and core logic throw a `Refusal` with one of these reasons and a
 * message written for the person who caused it; routes turn it into HTTP in one place
 * (`app/http/refusals.server.ts`), so no model knows a status code.
 */
export type RefusalReason =
  /** The request breaks a rule of its own content (a missing summary, a date in the wrong order). */
  | "invalid"
  /** What the request names does not exist (or is not visible to the caller). */
  | "not-found"
  /** The request is valid but the state it assumed has changed or forbids it (a newer revision,
   *  an open draft, a published version). */
  | "conflict"
  /** The thing existed and was erased on purpose (an erased subscriber). */
  | "gone"
  /** The request is larger than the rule allows. */
  | "too-large"
  /** The request is fine but cannot be served now (a full queue); `details.retryAfterSeconds` says when to retry. */
  | "unavailable";

export class Refusal extends Error {
  override name = "Refusal";
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** Facts a client may act on (e.g. the current revision after a conflict); never secrets. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export function isRefusal(error: unknown): error is Refusal {
  return error instanceof Refusal;
}

/** Resend's batch endpoint takes at most 100 emails per request. */
export const BATCH_SIZE = 100;

/** How many batches a notice of `recipients` email deliveries needs. */
export function batchCount(recipients: number): number {
  return Math.ceil(recipients / BATCH_SIZE);
}

/**
 * The Idempotency-Key of one batch request. The same batch always gets the same key, so a retry
 * after a crash or a timeout is recognised by the provider and never sends twice. A manual retry
 * of a failed batch (generation ≥ 1) re-decides membership and therefore needs a key of its own.
 */
export function batchIdempotencyKey(noticeId: number, batchNumber: number, generation = 0): string {
  const key = `notice-${noticeId}-batch-${batchNumber}`;
  return generation === 0 ? key : `${key}-retry-${generation}`;
}

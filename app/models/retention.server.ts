/**
 * Delivery-log retention (ADR 0007): after DELIVERY_LOG_RETENTION_DAYS the free-text parts of the
 * delivery logs — error texts that may quote an address, leftover recipient copies, webhook
 * receipts — are blanked or deleted. What proves a notice stays: status, times, provider message
 * id, batch, and the audit log (which never holds those texts). The schedule is
 * app/notify/retention.server.ts.
 */
import { sql } from "drizzle-orm";
import { execute } from "../../db/dialect";
import { recordAudit } from "./audit.server";
import { transaction } from "./db.server";

export type RetentionResult = { deliveries: number; batches: number; webhookEvents: number; cutoff: string };

/**
 * Pseudonymises delivery logs last changed before `days` ago. Rows in flight (`pending`,
 * `sending`) are never touched: their copies are still needed to resend the same body. Idempotent;
 * an audit entry is written only when something changed.
 */
export function pseudonymiseDeliveryLogs({
  days,
  now = Date.now(),
}: {
  days: number;
  now?: number;
}): Promise<RetentionResult> {
  const cutoff = new Date(now - days * 24 * 60 * 60 * 1000).toISOString();
  return transaction(async (tx) => {
    const deliveries = await execute(
      tx,
      sql`
        UPDATE deliveries SET last_error = NULL, recipient_email = NULL, recipient_name = NULL,
          recipient_locale = NULL
        WHERE status NOT IN ('pending', 'sending')
          AND coalesce(status_at, sent_at) < ${cutoff}
          AND (last_error IS NOT NULL OR recipient_email IS NOT NULL OR recipient_name IS NOT NULL
               OR recipient_locale IS NOT NULL)`,
    );
    const batches = await execute(
      tx,
      sql`
        UPDATE delivery_batches SET last_error = NULL, lease_owner = NULL
        WHERE status <> 'pending' AND updated_at < ${cutoff} AND (last_error IS NOT NULL OR lease_owner IS NOT NULL)`,
    );
    const webhookEvents = await execute(tx, sql`DELETE FROM webhook_events WHERE received_at < ${cutoff}`);
    if (deliveries + batches + webhookEvents > 0) {
      await recordAudit(tx, {
        actor: { kind: "system" },
        action: "delivery-logs.pseudonymised",
        details: { cutoff, retentionDays: days, deliveries, batches, webhookEvents },
      });
    }
    return { deliveries, batches, webhookEvents, cutoff };
  });
}

/**
 * The statuses of the notification tables, shared by the schema's CHECK constraints and the
 * browser (the admin page), which must not import the schema itself.
 */
export const SUBSCRIBER_STATUSES = ["active", "bounced", "complained", "erased"] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

export const CHANNELS = ["email", "dashboard"] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * pending → sending (membership of its batch fixed) → sent → delivered | bounced | complained;
 * failed after the last attempt; skipped when the subscriber was erased, bounced or complained
 * before the batch first went out. Dashboard deliveries stay pending until acknowledged.
 */
export const DELIVERY_STATUSES = [
  "pending",
  "sending",
  "sent",
  "delivered",
  "bounced",
  "complained",
  "failed",
  "skipped",
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Email outcomes after which the dashboard is the only way the person can still be told: the
 * fallback of pending notices, the "undelivered" counts of the workspace. The models put the same
 * list into SQL (app/models/notice-rules.server.ts).
 */
export const EMAIL_PROBLEMS = [
  "bounced",
  "complained",
  "failed",
  "skipped",
] as const satisfies readonly DeliveryStatus[];

export function isEmailProblem(status: string): boolean {
  return (EMAIL_PROBLEMS as readonly string[]).includes(status);
}

export const BATCH_STATUSES = ["pending", "sent", "failed"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const ACKNOWLEDGEMENT_CHANNELS = ["email", "dashboard", "api"] as const;
export type AcknowledgementChannel = (typeof ACKNOWLEDGEMENT_CHANNELS)[number];

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

/** What a public subscriber (issue 16, item 7) is told about: every published version, or material changes only. */
export const PUBLIC_SUBSCRIPTION_SCOPES = ["all", "material"] as const;
export type PublicSubscriptionScope = (typeof PUBLIC_SUBSCRIPTION_SCOPES)[number];

/**
 * Whom a notice's emails go to: the product's subscribers (the outbox's `deliveries`, with their
 * acknowledgements and proof), or the public subscribers of the document (`public_deliveries`: one
 * update email each, nothing to acknowledge).
 */
export const NOTICE_AUDIENCE_KINDS = ["subscribers", "public"] as const;
export type NoticeAudienceKind = (typeof NOTICE_AUDIENCE_KINDS)[number];

import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { DELIVERY_STATUSES, PUBLIC_SUBSCRIPTION_SCOPES } from "../../app/core/notify/statuses";
import { documents } from "../schema";
import { notices } from "./notifications";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * People without an account who confirmed (double opt-in) that they want to hear about changes to a
 * public policy (issue 16, item 7). Only what is needed: the address and the choice — no name, no
 * locale, no address or browser of the request. A row exists only once confirmed; unsubscribing or
 * erasure deletes it.
 */
export const publicSubscriptions = sqliteTable(
  "public_subscriptions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
    /** Trimmed and lower-cased. */
    email: text("email").notNull(),
    scope: text("scope", { enum: PUBLIC_SUBSCRIPTION_SCOPES }).notNull(),
    confirmedAt: text("confirmed_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("public_subscriptions_document_email_unique").on(t.documentId, t.email),
    index("public_subscriptions_email_idx").on(t.email),
    check("public_subscriptions_scope_check", sql`${t.scope} IN (${inList(PUBLIC_SUBSCRIPTION_SCOPES)})`),
  ],
);

/**
 * The outbox of a public notice (notices.audience_kind = 'public'): one update email per confirmed
 * subscription, batched like `deliveries` and sent by the same dispatcher. Kept apart from
 * `deliveries` so that nothing about the product's subscribers — acknowledgement counts, proof
 * ledger, audiences — ever counts these people. The address is copied when the batch is frozen and
 * blanked once it is resolved; an unsubscribe leaves `subscription_id` null.
 */
export const publicDeliveries = sqliteTable(
  "public_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    noticeId: integer("notice_id")
      .notNull()
      .references(() => notices.id),
    subscriptionId: integer("subscription_id").references(() => publicSubscriptions.id, {
      onDelete: "set null",
    }),
    batchNumber: integer("batch_number").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    recipientEmail: text("recipient_email"),
    providerMessageId: text("provider_message_id"),
    transport: text("transport"),
    lastError: text("last_error"),
    sentAt: text("sent_at"),
    statusAt: text("status_at"),
  },
  (t) => [
    uniqueIndex("public_deliveries_subscription_notice_unique").on(t.subscriptionId, t.noticeId),
    index("public_deliveries_notice_batch_idx").on(t.noticeId, t.batchNumber, t.status),
    index("public_deliveries_provider_message_idx")
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
    check("public_deliveries_status_check", sql`${t.status} IN (${inList(DELIVERY_STATUSES)})`),
    check("public_deliveries_batch_check", sql`${t.batchNumber} >= 1`),
  ],
);

export type PublicSubscription = typeof publicSubscriptions.$inferSelect;

import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { documents, versions } from "../schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

import {
  ACKNOWLEDGEMENT_CHANNELS,
  BATCH_STATUSES,
  CHANNELS,
  type Channel,
  DELIVERY_STATUSES,
  NOTICE_AUDIENCE_KINDS,
  SUBSCRIBER_STATUSES,
} from "../../app/core/notify/statuses";

export * from "../../app/core/notify/statuses";

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * The product's users. Only what a notice needs is stored: address, name for the greeting,
 * locale for the template and attributes for audiences. Erasure blanks all four and keeps the
 * row (externalId and id) so that the proof of notices stays pseudonymous but complete.
 */
export const subscribers = sqliteTable(
  "subscribers",
  {
    id: integer("id").primaryKey(),
    externalId: text("external_id").notNull().unique(),
    email: text("email"),
    name: text("name"),
    locale: text("locale").notNull().default("en"),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, string>>(),
    status: text("status", { enum: SUBSCRIBER_STATUSES }).notNull().default("active"),
    /** Why the status last changed ("bounce: Permanent", "complaint", "erased on request"). */
    statusReason: text("status_reason"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    erasedAt: text("erased_at"),
  },
  (t) => [
    check("subscribers_status_check", sql`${t.status} IN (${inList(SUBSCRIBER_STATUSES)})`),
    // An erased subscriber keeps no personal data; anyone else must have an address to be told.
    check(
      "subscribers_erased_check",
      sql`(${t.status} = 'erased') = (${t.email} IS NULL AND ${t.name} IS NULL AND ${t.attributes} IS NULL)`,
    ),
    index("subscribers_status_idx").on(t.status),
    // The workspace's search by address (`lower(email) = ?`): an index lookup, not a scan of every subscriber.
    index("subscribers_email_lower_idx").on(sql`lower(${t.email})`),
  ],
);

/**
 * One notice per material version and audience. Its text comes from the (immutable) published
 * version, so nothing about what was said can change after the fact.
 */
export const notices = sqliteTable(
  "notices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => versions.id),
    /** The previously published version's number: the redline's default starting point. */
    previousNumber: integer("previous_number"),
    channels: text("channels", { mode: "json" }).$type<Channel[]>().notNull(),
    /** Attribute filter; null means every active subscriber. */
    audience: text("audience", { mode: "json" }).$type<Record<string, string | string[]> | null>(),
    requiresAck: integer("requires_ack", { mode: "boolean" }).notNull().default(false),
    /**
     * 'subscribers' (the product's users, rows in `deliveries`) or 'public' (public subscribers'
     * update emails, rows in `public_deliveries`). Checked by the app, not a CHECK: adding one to
     * SQLite would rebuild the table.
     */
    audienceKind: text("audience_kind", { enum: NOTICE_AUDIENCE_KINDS }).notNull().default("subscribers"),
    /** Email batches of at most 100, fixed at creation. */
    batchCount: integer("batch_count").notNull().default(0),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull().default(now),
    /** Reminders (issue 16, item 4): days after the notice, then after each reminder, before the next. */
    reminderAfterDays: integer("reminder_after_days"),
    /** At most this many reminders to those who have not acknowledged yet. */
    reminderMax: integer("reminder_max"),
    /** A reminder round is a notice of its own (email only) for the same version: the notice it reminds of. */
    reminderOf: integer("reminder_of").references((): AnySQLiteColumn => notices.id),
    /** 1 for the first reminder of `reminderOf`, 2 for the second… Unique: a round is enqueued once. */
    reminderRound: integer("reminder_round"),
  },
  (t) => [
    index("notices_version_idx").on(t.versionId),
    uniqueIndex("notices_reminder_round_unique").on(t.reminderOf, t.reminderRound),
    check("notices_channels_check", sql`json_valid(${t.channels}) AND json_array_length(${t.channels}) > 0`),
  ],
);

/**
 * The unit the dispatcher claims and sends: one `batch.send` with the idempotency key
 * `notice-<noticeId>-batch-<number>`. Attempts, backoff and the lease live here, not per delivery,
 * because a batch succeeds or fails as a whole.
 */
export const deliveryBatches = sqliteTable(
  "delivery_batches",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    noticeId: integer("notice_id")
      .notNull()
      .references(() => notices.id),
    number: integer("number").notNull(),
    status: text("status", { enum: BATCH_STATUSES }).notNull().default("pending"),
    /** Bumped by a manual retry of a failed batch: a new idempotency key for a new membership. */
    generation: integer("generation").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at").notNull().default(now),
    leaseOwner: text("lease_owner"),
    leasedUntil: text("leased_until"),
    /** When membership and recipients were fixed (first claim); from then on the body never changes. */
    frozenAt: text("frozen_at"),
    lastError: text("last_error"),
    sentAt: text("sent_at"),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("delivery_batches_notice_number_unique").on(t.noticeId, t.number),
    // The claim query: due pending batches in order.
    index("delivery_batches_claim_idx").on(t.nextAttemptAt, t.id).where(sql`${t.status} = 'pending'`),
    check("delivery_batches_status_check", sql`${t.status} IN (${inList(BATCH_STATUSES)})`),
    check("delivery_batches_number_check", sql`${t.number} >= 1`),
  ],
);

/**
 * The outbox: one row per notice × subscriber × channel. Recipient columns are a copy taken when
 * the batch is frozen (so that every retry sends a byte-identical body) and are blanked as soon as
 * the batch is resolved.
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: integer("id").primaryKey(),
    noticeId: integer("notice_id")
      .notNull()
      .references(() => notices.id),
    subscriberId: integer("subscriber_id")
      .notNull()
      .references(() => subscribers.id),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    /** Email only: the batch this delivery belongs to, fixed at creation. */
    batchNumber: integer("batch_number"),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    recipientEmail: text("recipient_email"),
    recipientName: text("recipient_name"),
    recipientLocale: text("recipient_locale"),
    /** The version the redline link starts from (last acknowledged, else the previous one). */
    redlineFrom: integer("redline_from"),
    providerMessageId: text("provider_message_id"),
    /**
     * Email only, written with the provider's acceptance: what carried it — "resend",
     * "resend-compatible <origin>" or "capture" (kept on this machine, delivered to nobody). Names
     * no person, so erasure and retention leave it.
     */
    transport: text("transport"),
    lastError: text("last_error"),
    sentAt: text("sent_at"),
    statusAt: text("status_at"),
  },
  (t) => [
    // Subscriber first: the same index answers "everything about this subscriber" (the proof ledger, access requests).
    uniqueIndex("deliveries_subscriber_notice_channel_unique").on(t.subscriberId, t.noticeId, t.channel),
    index("deliveries_notice_batch_idx").on(t.noticeId, t.batchNumber, t.status),
    index("deliveries_provider_message_idx")
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
    check("deliveries_channel_check", sql`${t.channel} IN (${inList(CHANNELS)})`),
    check("deliveries_status_check", sql`${t.status} IN (${inList(DELIVERY_STATUSES)})`),
    check(
      "deliveries_batch_check",
      sql`(${t.channel} = 'email') = (${t.batchNumber} IS NOT NULL AND ${t.batchNumber} >= 1)`,
    ),
  ],
);

/** Subscriber × version: who acknowledged which version, when and where. */
export const acknowledgements = sqliteTable(
  "acknowledgements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    subscriberId: integer("subscriber_id")
      .notNull()
      .references(() => subscribers.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => versions.id),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
    /** The version's number, kept here so "last acknowledged" is one index lookup. */
    versionNumber: integer("version_number").notNull(),
    noticeId: integer("notice_id").references(() => notices.id),
    channel: text("channel", { enum: ACKNOWLEDGEMENT_CHANNELS }).notNull(),
    acknowledgedAt: text("acknowledged_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("acknowledgements_subscriber_version_unique").on(t.subscriberId, t.versionId),
    index("acknowledgements_subscriber_document_idx").on(t.subscriberId, t.documentId, t.versionNumber),
    check("acknowledgements_channel_check", sql`${t.channel} IN (${inList(ACKNOWLEDGEMENT_CHANNELS)})`),
  ],
);

/**
 * When a notice was first shown to a subscriber in the dashboard banner (issue 16, item 5): shown
 * is not acknowledged. One row per notice and subscriber; later showings change nothing.
 */
export const noticeViews = sqliteTable(
  "notice_views",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    noticeId: integer("notice_id")
      .notNull()
      .references(() => notices.id),
    subscriberId: integer("subscriber_id")
      .notNull()
      .references(() => subscribers.id),
    firstShownAt: text("first_shown_at").notNull(),
  },
  (t) => [uniqueIndex("notice_views_notice_subscriber_unique").on(t.noticeId, t.subscriberId)],
);

/** Provider webhook deliveries already processed, by svix-id: a replay changes nothing. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    svixId: text("svix_id").notNull(),
    type: text("type").notNull(),
    providerMessageId: text("provider_message_id"),
    receivedAt: text("received_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.svixId] })],
);

/**
 * Shared send rates (ADR 0017, decision 5): one row per rate, holding the time from which the next
 * provider request may leave. Every dispatcher of every process reserves its slot here with one
 * atomic UPDATE, so all of them together keep to SEND_RATE_PER_SECOND.
 */
export const sendRates = sqliteTable("send_rates", {
  name: text("name").primaryKey(),
  /** Milliseconds since the epoch, on the database's clock (one clock for every host). */
  nextFreeAt: integer("next_free_at").notNull(),
});

export type Subscriber = typeof subscribers.$inferSelect;
export type Notice = typeof notices.$inferSelect;
export type DeliveryBatch = typeof deliveryBatches.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type Acknowledgement = typeof acknowledgements.$inferSelect;

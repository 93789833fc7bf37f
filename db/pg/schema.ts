/**
 * The PostgreSQL twin of db/schema.ts (ADR 0017, decision 2): the same tables, columns, property
 * names, constraints and indexes, so that models written against the SQLite schema run unchanged
 * on either engine. test/integration/schema-twins.test.ts compares the two and fails on any drift.
 *
 * What differs, and why:
 * - Timestamps and dates stay ISO-8601 text ("2026-11-30T19:04:05.123Z", "2026-11-30"), exactly as
 *   SQLite stores them: the audit chain hashes them as text, ordering by them is ordering by time,
 *   and a database copied from SQLite (`redline migrate-to`) keeps every hash. Defaults render the
 *   same format.
 * - Flags are `boolean`; JSON is `json` where its text is hashed or shown as written (policy
 *   content, audit details: `json` keeps the text byte for byte, `jsonb` would reorder keys) and
 *   `jsonb` where it is queried (subscriber attributes, audiences).
 * - Ids are identity columns `BY DEFAULT`, so a copy keeps its ids (the sequence is moved past
 *   them afterwards).
 */
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { LogoType } from "../../app/core/branding";
import type { RedlineSummary } from "../../app/core/diff/redline";
import type { PolicyContent } from "../../app/core/document/types";
import type { ImportedOrigin } from "../../app/core/history/types";
import {
  ACKNOWLEDGEMENT_CHANNELS,
  BATCH_STATUSES,
  CHANNELS,
  type Channel,
  DELIVERY_STATUSES,
  NOTICE_AUDIENCE_KINDS,
  PUBLIC_SUBSCRIPTION_SCOPES,
  SUBSCRIBER_STATUSES,
} from "../../app/core/notify/statuses";
import { SIGN_IN_METHODS } from "../../app/core/sso";
import { REVIEW_COMMENT_KINDS, ROLES, VERSION_STATES } from "../schema";

/** The current time (not the transaction's start: SQLite's 'now' is per statement), rendered as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ', 'now') renders it. */
const now = sql`to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const createdAt = () => text("created_at").notNull().default(now);
const id = () => integer("id").primaryKey().generatedByDefaultAsIdentity();
const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

export const documents = pgTable(
  "documents",
  {
    id: id(),
    slug: text("slug").notNull(),
    locale: text("locale").notNull().default("en"),
    title: text("title").notNull(),
    translationOfId: integer("translation_of_id").references((): AnyPgColumn => documents.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("documents_slug_locale_unique").on(t.slug, t.locale)],
);

export const users = pgTable(
  "users",
  {
    id: id(),
    email: text("email").notNull().unique(),
    name: text("name"),
    role: text("role", { enum: ROLES }).notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
    deactivatedAt: text("deactivated_at"),
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    breakGlass: boolean("break_glass").notNull().default(false),
  },
  (t) => [
    check("users_role_check", sql`${t.role} IN (${inList(ROLES)})`),
    uniqueIndex("users_oidc_identity_unique").on(t.oidcIssuer, t.oidcSubject),
  ],
);

export const versions = pgTable(
  "versions",
  {
    id: id(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
    number: integer("number").notNull(),
    state: text("state", { enum: VERSION_STATES }).notNull().default("draft"),
    content: json("content").$type<PolicyContent>().notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    outline: json("outline").$type<{ id: string; level: number; text: string }[]>().notNull(),
    contentHash: text("content_hash").notNull(),
    lastUpdated: text("last_updated"),
    effectiveAt: text("effective_at"),
    publishedAt: text("published_at"),
    material: boolean("material").notNull().default(false),
    summary: text("summary"),
    authorId: integer("author_id").references(() => users.id),
    approvedById: integer("approved_by_id").references(() => users.id),
    publishedById: integer("published_by_id").references(() => users.id),
    basedOnVersionId: integer("based_on_version_id").references((): AnyPgColumn => versions.id),
    revision: integer("revision").notNull().default(1),
    auditHead: text("audit_head"),
    imported: json("imported").$type<ImportedOrigin>(),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("versions_document_number_unique").on(t.documentId, t.number),
    index("versions_document_state_idx").on(t.documentId, t.state),
    // SQLite's covering index keeps version lists from reading whole rows; PostgreSQL keeps large
    // values (content, html) out of line already, and an index entry cannot hold a long summary.
    index("versions_facts_idx").on(t.documentId, t.state, t.number),
    // One open (unpublished) version per document at a time, so published numbers stay contiguous.
    uniqueIndex("versions_one_open_per_document")
      .on(t.documentId)
      .where(sql`${t.state} IN ('draft', 'in_review', 'approved')`),
    check("versions_state_check", sql`${t.state} IN (${inList(VERSION_STATES)})`),
    check("versions_number_check", sql`${t.number} >= 1`),
    check(
      "versions_published_dates_check",
      sql`${t.state} NOT IN ('published', 'superseded') OR (${t.lastUpdated} IS NOT NULL AND ${t.effectiveAt} IS NOT NULL AND ${t.publishedAt} IS NOT NULL)`,
    ),
    check(
      "versions_material_summary_check",
      sql`${t.state} NOT IN ('published', 'superseded') OR NOT ${t.material} OR length(trim(coalesce(${t.summary}, ''))) > 0`,
    ),
  ],
);

export const auditLog = pgTable("audit_log", {
  id: id(),
  at: text("at").notNull(),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  documentId: integer("document_id"),
  versionId: integer("version_id"),
  details: json("details").$type<Record<string, unknown>>().notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull().unique(),
  keyId: text("key_id"),
  mac: text("mac"),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: createdAt(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_live_name_unique").on(t.name).where(sql`${t.revokedAt} IS NULL`)],
);

export const subscribers = pgTable(
  "subscribers",
  {
    id: id(),
    externalId: text("external_id").notNull().unique(),
    email: text("email"),
    name: text("name"),
    locale: text("locale").notNull().default("en"),
    attributes: jsonb("attributes").$type<Record<string, string>>(),
    status: text("status", { enum: SUBSCRIBER_STATUSES }).notNull().default("active"),
    statusReason: text("status_reason"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    erasedAt: text("erased_at"),
  },
  (t) => [
    check("subscribers_status_check", sql`${t.status} IN (${inList(SUBSCRIBER_STATUSES)})`),
    check(
      "subscribers_erased_check",
      sql`(${t.status} = 'erased') = (${t.email} IS NULL AND ${t.name} IS NULL AND ${t.attributes} IS NULL)`,
    ),
    index("subscribers_status_idx").on(t.status),
    index("subscribers_email_lower_idx").on(sql`lower(${t.email})`),
  ],
);

export const notices = pgTable(
  "notices",
  {
    id: id(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => versions.id),
    previousNumber: integer("previous_number"),
    channels: jsonb("channels").$type<Channel[]>().notNull(),
    audience: jsonb("audience").$type<Record<string, string | string[]> | null>(),
    requiresAck: boolean("requires_ack").notNull().default(false),
    audienceKind: text("audience_kind", { enum: NOTICE_AUDIENCE_KINDS }).notNull().default("subscribers"),
    batchCount: integer("batch_count").notNull().default(0),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull().default(now),
    reminderAfterDays: integer("reminder_after_days"),
    reminderMax: integer("reminder_max"),
    reminderOf: integer("reminder_of").references((): AnyPgColumn => notices.id),
    reminderRound: integer("reminder_round"),
  },
  (t) => [
    index("notices_version_idx").on(t.versionId),
    uniqueIndex("notices_reminder_round_unique").on(t.reminderOf, t.reminderRound),
    check(
      "notices_channels_check",
      sql`jsonb_typeof(${t.channels}) = 'array' AND jsonb_array_length(${t.channels}) > 0`,
    ),
  ],
);

export const deliveryBatches = pgTable(
  "delivery_batches",
  {
    id: id(),
    noticeId: integer("notice_id")
      .notNull()
      .references(() => notices.id),
    number: integer("number").notNull(),
    status: text("status", { enum: BATCH_STATUSES }).notNull().default("pending"),
    generation: integer("generation").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at").notNull().default(now),
    leaseOwner: text("lease_owner"),
    leasedUntil: text("leased_until"),
    frozenAt: text("frozen_at"),
    lastError: text("last_error"),
    sentAt: text("sent_at"),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("delivery_batches_notice_number_unique").on(t.noticeId, t.number),
    index("delivery_batches_claim_idx").on(t.nextAttemptAt, t.id).where(sql`${t.status} = 'pending'`),
    check("delivery_batches_status_check", sql`${t.status} IN (${inList(BATCH_STATUSES)})`),
    check("delivery_batches_number_check", sql`${t.number} >= 1`),
  ],
);

export const deliveries = pgTable(
  "deliveries",
  {
    id: id(),
    noticeId: integer("notice_id")
      .notNull()
      .references(() => notices.id),
    subscriberId: integer("subscriber_id")
      .notNull()
      .references(() => subscribers.id),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    batchNumber: integer("batch_number"),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    recipientEmail: text("recipient_email"),
    recipientName: text("recipient_name"),
    recipientLocale: text("recipient_locale"),
    redlineFrom: integer("redline_from"),
    providerMessageId: text("provider_message_id"),
    transport: text("transport"),
    lastError: text("last_error"),
    sentAt: text("sent_at"),
    statusAt: text("status_at"),
  },
  (t) => [
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

export const acknowledgements = pgTable(
  "acknowledgements",
  {
    id: id(),
    subscriberId: integer("subscriber_id")
      .notNull()
      .references(() => subscribers.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => versions.id),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
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

export const noticeViews = pgTable(
  "notice_views",
  {
    id: id(),
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

export const publicSubscriptions = pgTable(
  "public_subscriptions",
  {
    id: id(),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
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

export const publicDeliveries = pgTable(
  "public_deliveries",
  {
    id: id(),
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

export const webhookEvents = pgTable(
  "webhook_events",
  {
    svixId: text("svix_id").notNull(),
    type: text("type").notNull(),
    providerMessageId: text("provider_message_id"),
    receivedAt: text("received_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.svixId] })],
);

export const storedDiffs = pgTable(
  "stored_diffs",
  {
    fromHash: text("from_hash").notNull(),
    toHash: text("to_hash").notNull(),
    engine: integer("engine").notNull(),
    summary: json("summary").$type<RedlineSummary>().notNull(),
    blocks: text("blocks").notNull(),
    html: text("html").notNull(),
    changesHtml: text("changes_html").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.fromHash, t.toHash, t.engine] })],
);

export const sendRates = pgTable("send_rates", {
  name: text("name").primaryKey(),
  nextFreeAt: bigint("next_free_at", { mode: "number" }).notNull(),
});

export const embedSecrets = pgTable(
  "embed_secrets",
  {
    id: id(),
    encryptedSecret: text("encrypted_secret").notNull(),
    prefix: text("prefix").notNull(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    retiredAt: text("retired_at"),
  },
  (t) => [
    // At most one live secret: a unique index over a constant, only for rows not retired.
    uniqueIndex("embed_secrets_live_unique").on(sql`(true)`).where(sql`${t.retiredAt} IS NULL`),
    index("embed_secrets_retired_idx").on(t.retiredAt),
  ],
);

export const embedOrigins = pgTable(
  "embed_origins",
  {
    origin: text("origin").primaryKey(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    // SQLite's GLOB 'http*://*' AND NOT GLOB '*/*/*/*': a scheme, "://", a host part without "/".
    check(
      "embed_origins_origin_check",
      sql`${t.origin} ~ '^http[^/]*://[^/]*$' AND length(${t.origin}) <= 255`,
    ),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    lastSeenAt: text("last_seen_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    signInMethod: text("sign_in_method", { enum: SIGN_IN_METHODS }).notNull().default("password"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const signInThrottles = pgTable(
  "sign_in_throttles",
  {
    key: text("key").primaryKey(),
    account: text("account"),
    failures: integer("failures").notNull(),
    lastFailureAt: text("last_failure_at").notNull(),
    blockedUntil: text("blocked_until"),
  },
  (t) => [
    index("sign_in_throttles_account_idx").on(t.account),
    index("sign_in_throttles_last_failure_idx").on(t.lastFailureAt),
  ],
);

export const passwordResets = pgTable(
  "password_resets",
  {
    id: id(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull().unique(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [index("password_resets_user_idx").on(t.userId)],
);

export const reviewComments = pgTable(
  "review_comments",
  {
    id: id(),
    versionId: integer("version_id")
      .notNull()
      .references(() => versions.id),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind", { enum: REVIEW_COMMENT_KINDS }).notNull(),
    revision: integer("revision").notNull(),
    body: text("body").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    index("review_comments_version_idx").on(t.versionId),
    check("review_comments_kind_check", sql`${t.kind} IN (${inList(REVIEW_COMMENT_KINDS)})`),
  ],
);

/** The twin of db/schema/branding.ts (ADR 0026). */
export const brandingLogos = pgTable(
  "branding_logos",
  {
    hash: text("hash").primaryKey(),
    contentType: text("content_type").$type<LogoType>().notNull(),
    data: text("data").notNull(),
    byteSize: integer("byte_size").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    check(
      "branding_logos_type_check",
      sql`${t.contentType} IN ('image/png', 'image/jpeg', 'image/svg+xml') AND ${t.byteSize} <= 102400`,
    ),
  ],
);

export const brandingRevisions = pgTable(
  "branding_revisions",
  {
    id: id(),
    organisationName: text("organisation_name").notNull(),
    logoHash: text("logo_hash").references(() => brandingLogos.hash),
    accentColour: text("accent_colour").notNull(),
    contactUrl: text("contact_url"),
    imprintUrl: text("imprint_url"),
    supportEmail: text("support_email"),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    check("branding_revisions_accent_check", sql`${t.accentColour} ~ '^#[0-9a-f]{6}$'`),
    check(
      "branding_revisions_links_check",
      sql`(${t.contactUrl} IS NULL OR ${t.contactUrl} LIKE 'https://%' OR ${t.contactUrl} LIKE 'mailto:%') AND (${t.imprintUrl} IS NULL OR ${t.imprintUrl} LIKE 'https://%' OR ${t.imprintUrl} LIKE 'mailto:%')`,
    ),
    index("branding_revisions_created_idx").on(t.createdAt),
  ],
);

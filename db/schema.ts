import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import type { PolicyContent } from "../app/core/document/types";
import type { ImportedOrigin } from "../app/core/history/types";

export const VERSION_STATES = ["draft", "in_review", "approved", "published", "superseded"] as const;
export type VersionState = (typeof VERSION_STATES)[number];

export const ROLES = ["viewer", "editor", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** A policy in one language. A translation is its own document, linked to the original. */
export const documents = sqliteTable(
  "documents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull(),
    locale: text("locale").notNull().default("en"),
    title: text("title").notNull(),
    translationOfId: integer("translation_of_id").references((): AnySQLiteColumn => documents.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("documents_slug_locale_unique").on(t.slug, t.locale)],
);

/** People of the legal team who sign in to /admin. */
export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull().unique(),
    name: text("name"),
    role: text("role", { enum: ROLES }).notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
    /**
     * Set when the person left: they cannot sign in and have no sessions, but the row stays so that
     * everything they did stays attributed to them. Null while active.
     */
    deactivatedAt: text("deactivated_at"),
    /**
     * Single sign-on (ADR 0019): the identity provider's issuer and its subject for this person, set
     * when the provider created or signed them in; the pair, never the email, is how they are found.
     * Null for password-only accounts.
     */
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    /** May sign in with a password even when AUTH_PASSWORDS=off; every such sign-in is audited. */
    breakGlass: integer("break_glass", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    check("users_role_check", sql`${t.role} IN ('viewer', 'editor', 'approver', 'admin')`),
    uniqueIndex("users_oidc_identity_unique").on(t.oidcIssuer, t.oidcSubject),
  ],
);

/**
 * Numbered revisions of a document. Content is Tiptap JSON; html, text, outline and hash are
 * derived from it when it is written, never per request. Published rows are immutable (triggers
 * in the migrations).
 */
export const versions = sqliteTable(
  "versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id),
    number: integer("number").notNull(),
    state: text("state", { enum: VERSION_STATES }).notNull().default("draft"),
    content: text("content", { mode: "json" }).$type<PolicyContent>().notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    outline: text("outline", { mode: "json" })
      .$type<{ id: string; level: number; text: string }[]>()
      .notNull(),
    contentHash: text("content_hash").notNull(),
    /** "Last updated" date printed at the top of the public page, YYYY-MM-DD. */
    lastUpdated: text("last_updated"),
    /** Date the version takes effect, YYYY-MM-DD (start of that day, UTC). */
    effectiveAt: text("effective_at"),
    /** When it became public, ISO timestamp. */
    publishedAt: text("published_at"),
    material: integer("material", { mode: "boolean" }).notNull().default(false),
    summary: text("summary"),
    authorId: integer("author_id").references(() => users.id),
    approvedById: integer("approved_by_id").references(() => users.id),
    publishedById: integer("published_by_id").references(() => users.id),
    /** The version this one was restored from or translates, when it has such an origin. */
    basedOnVersionId: integer("based_on_version_id").references((): AnySQLiteColumn => versions.id),
    /** Increments on every draft save; a save naming an older revision is refused. */
    revision: integer("revision").notNull().default(1),
    /**
     * The audit chain's head when this version was published: the hash of its own
     * `version.published` entry. Published with the version so that anyone who keeps it can later
     * prove the log was not rewritten before it (ADR 0011). Null for versions published before
     * heads were recorded and for unpublished versions.
     */
    auditHead: text("audit_head"),
    /**
     * Set on a version imported from the company's earlier history (`redline import-history`): its
     * source, where its dates came from and the diff engine's advice. Such a version's materiality is
     * not known — `material` stays false because nobody claimed it, and no notice is ever made for it
     * (triggers). Null on versions made in Redline.
     */
    imported: text("imported", { mode: "json" }).$type<ImportedOrigin>(),
    createdAt: createdAt(),
    updatedAt: text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  },
  (t) => [
    uniqueIndex("versions_document_number_unique").on(t.documentId, t.number),
    index("versions_document_state_idx").on(t.documentId, t.state),
    // Every column but the bodies: lists of versions (VERSION_FACTS) read this index alone instead
    // of rows whose facts sit behind megabytes of content, HTML and text in overflow pages.
    // Number before state: lists are newest first, so the index is read in order, never sorted,
    // and the planner has no reason to prefer versions_document_number_unique and the rows.
    index("versions_facts_idx").on(
      t.documentId,
      t.number,
      t.state,
      t.effectiveAt,
      t.lastUpdated,
      t.publishedAt,
      t.contentHash,
      t.material,
      t.summary,
      t.basedOnVersionId,
      t.auditHead,
      t.imported,
      t.authorId,
      t.approvedById,
      t.publishedById,
      t.revision,
      t.createdAt,
      t.updatedAt,
    ),
    check(
      "versions_state_check",
      sql`${t.state} IN ('draft', 'in_review', 'approved', 'published', 'superseded')`,
    ),
    check("versions_number_check", sql`${t.number} >= 1`),
    // A public version always has its dates, and a material one its summary.
    check(
      "versions_published_dates_check",
      sql`${t.state} NOT IN ('published', 'superseded') OR (${t.lastUpdated} IS NOT NULL AND ${t.effectiveAt} IS NOT NULL AND ${t.publishedAt} IS NOT NULL)`,
    ),
    check(
      "versions_material_summary_check",
      sql`${t.state} NOT IN ('published', 'superseded') OR ${t.material} = 0 OR length(trim(coalesce(${t.summary}, ''))) > 0`,
    ),
  ],
);

/** Append-only, hash-chained record of every state change: who, what, when. */
export const auditLog = sqliteTable("audit_log", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  at: text("at").notNull(),
  /** "user:<id>" for the legal team, "cli" for the operator command line, "system" for start-up. */
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  documentId: integer("document_id"),
  versionId: integer("version_id"),
  details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull().unique(),
  /** Which audit key signed this entry (ADR 0011); null for entries written before keys existed. */
  keyId: text("key_id"),
  /** HMAC-SHA256 of the entry's hash under that key: proof that Redline, not someone with the file, wrote it. */
  mac: text("mac"),
});

export type Document = typeof documents.$inferSelect;
export type Version = typeof versions.$inferSelect;
export type User = typeof users.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;

// Each area of the product keeps its tables in its own file under db/schema/.
export * from "./schema/api-keys";
export * from "./schema/branding";
export * from "./schema/diffs";
export * from "./schema/notifications";
export * from "./schema/proof";
export * from "./schema/public-subscriptions";
export * from "./schema/workspace";

import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { SIGN_IN_METHODS } from "../../app/core/sso";
import { users, versions } from "../schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/**
 * Signed-in sessions of the legal team. The cookie carries a random token; only its SHA-256 is
 * stored, so a copy of the database cannot be used to sign in. Deleting a row signs that browser
 * out (sign-out, password change).
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    /** Refreshed at most once a minute; a session idle for longer than the idle limit ends. */
    lastSeenAt: text("last_seen_at").notNull().default(now),
    /** Absolute end of the session, whatever the activity. */
    expiresAt: text("expires_at").notNull(),
    /**
     * How the person signed in: `password`, `sso` (the identity provider; sign-out then offers the
     * provider's end-session page) or `break-glass` (a password while AUTH_PASSWORDS=off).
     */
    signInMethod: text("sign_in_method", { enum: SIGN_IN_METHODS }).notNull().default("password"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Password-guessing counters (ADR 10), one row per key: an account, an account with one source
 * (address or trusted browser), an address, or an account's current-password check. The key is a
 * keyed hash (HMAC with the session secret), and so is `account`, which lets an admin lift every
 * limit of one person at once: no email or IP address is stored. Rows are deleted a day after
 * their last failure.
 */
export const signInThrottles = sqliteTable(
  "sign_in_throttles",
  {
    key: text("key").primaryKey(),
    /** The keyed hash of the account this key belongs to; null for an address key. */
    account: text("account"),
    failures: integer("failures").notNull(),
    lastFailureAt: text("last_failure_at").notNull(),
    /** No attempt before this time; null while failures are still free. */
    blockedUntil: text("blocked_until"),
  },
  (t) => [
    index("sign_in_throttles_account_idx").on(t.account),
    index("sign_in_throttles_last_failure_idx").on(t.lastFailureAt),
  ],
);

/**
 * One-time password-reset links an admin hands to a person. Only the SHA-256 of the link's random
 * token is stored; a link works once, until `expiresAt`, and a newer link or a deactivation
 * replaces it.
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull().unique(),
    /** The admin who issued it; null when issued on the command line. */
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [index("password_resets_user_idx").on(t.userId)],
);

export const REVIEW_COMMENT_KINDS = ["sent-back", "approved"] as const;
export type ReviewCommentKind = (typeof REVIEW_COMMENT_KINDS)[number];

/** What a reviewer said when sending a draft back (or, optionally, when approving it). */
export const reviewComments = sqliteTable(
  "review_comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    versionId: integer("version_id")
      .notNull()
      .references(() => versions.id),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind", { enum: REVIEW_COMMENT_KINDS }).notNull(),
    /** The draft revision the comment is about. */
    revision: integer("revision").notNull(),
    body: text("body").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    index("review_comments_version_idx").on(t.versionId),
    check("review_comments_kind_check", sql`${t.kind} IN ('sent-back', 'approved')`),
  ],
);

export type Session = typeof sessions.$inferSelect;
export type PasswordReset = typeof passwordResets.$inferSelect;
export type ReviewComment = typeof reviewComments.$inferSelect;

import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
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
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Failed sign-in counters, per account and per address. The key is a keyed hash (HMAC with the
 * session secret) of "account:<email>" or "address:<ip>": no email or IP address is stored, and
 * rows are deleted once their window has passed.
 */
export const loginThrottles = sqliteTable("login_throttles", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: text("window_started_at").notNull(),
  lockedUntil: text("locked_until"),
});

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
export type ReviewComment = typeof reviewComments.$inferSelect;

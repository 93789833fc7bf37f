import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "../schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/**
 * The secret the product's backend signs short-lived user tokens with (the dashboard banner's
 * credential, ADR 0007). The server must recompute HMACs, so the secret is kept recoverable:
 * encrypted (AES-256-GCM) with a key derived from SESSION_SECRET, never in clear. At most one is
 * live (`retired_at` null); a rotated one keeps verifying tokens for one token lifetime.
 */
export const embedSecrets = sqliteTable(
  "embed_secrets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** base64url(iv ‖ ciphertext ‖ tag). */
    encryptedSecret: text("encrypted_secret").notNull(),
    /** The first characters of the secret, shown so people can tell secrets apart. */
    prefix: text("prefix").notNull(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    retiredAt: text("retired_at"),
  },
  (t) => [
    uniqueIndex("embed_secrets_live_unique").on(sql`(1)`).where(sql`${t.retiredAt} IS NULL`),
    index("embed_secrets_retired_idx").on(t.retiredAt),
  ],
);

/** Origins of the product's pages allowed to call the browser API (CORS). */
export const embedOrigins = sqliteTable(
  "embed_origins",
  {
    origin: text("origin").primaryKey(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    check(
      "embed_origins_origin_check",
      sql`${t.origin} GLOB 'http*://*' AND ${t.origin} NOT GLOB '*/*/*/*' AND length(${t.origin}) <= 255`,
    ),
  ],
);

export type EmbedSecret = typeof embedSecrets.$inferSelect;

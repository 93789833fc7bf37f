import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "../schema";

/**
 * Keys the product's backend uses for the API. Only a SHA-256 of the key is stored (the key is
 * 256 random bits, so a fast hash is enough); the key itself is shown once, when created.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  // A name identifies one live key; a revoked key's name can be reused.
  (t) => [uniqueIndex("api_keys_live_name_unique").on(t.name).where(sql`${t.revokedAt} IS NULL`)],
);

export type ApiKey = typeof apiKeys.$inferSelect;

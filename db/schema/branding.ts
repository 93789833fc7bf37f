import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { LogoType } from "../../app/core/branding";
import { users } from "../schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/**
 * Uploaded logos, by the SHA-256 of their bytes (base64url): saving the same image twice stores it
 * once, and the address it is served at (/branding/logo/<hash>) never shows another image.
 */
export const brandingLogos = sqliteTable(
  "branding_logos",
  {
    hash: text("hash").primaryKey(),
    contentType: text("content_type").$type<LogoType>().notNull(),
    /** The image, base64: a text column reads and copies the same way on both engines. */
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

/**
 * The organisation's branding, one row per save, never updated (ADR 0026): the newest row is in
 * effect; an email batch renders the row that was in effect when it was frozen, so a retry sends
 * the same bytes (ADR 0006), and the history shows who changed what.
 */
export const brandingRevisions = sqliteTable(
  "branding_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organisationName: text("organisation_name").notNull(),
    logoHash: text("logo_hash").references(() => brandingLogos.hash),
    /** "#rrggbb", lower case, with at least 4.5:1 contrast against white (checked by the form). */
    accentColour: text("accent_colour").notNull(),
    contactUrl: text("contact_url"),
    imprintUrl: text("imprint_url"),
    supportEmail: text("support_email"),
    createdById: integer("created_by_id").references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    check(
      "branding_revisions_accent_check",
      sql`length(${t.accentColour}) = 7 AND ${t.accentColour} LIKE '#%'`,
    ),
    check(
      "branding_revisions_links_check",
      sql`(${t.contactUrl} IS NULL OR ${t.contactUrl} LIKE 'https://%' OR ${t.contactUrl} LIKE 'mailto:%') AND (${t.imprintUrl} IS NULL OR ${t.imprintUrl} LIKE 'https://%' OR ${t.imprintUrl} LIKE 'mailto:%')`,
    ),
    index("branding_revisions_created_idx").on(t.createdAt),
  ],
);

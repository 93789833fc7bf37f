import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { RedlineSummary } from "../../app/core/diff/redline";

/**
 * Redlines between two published versions, computed once (when the newer one is published, or the
 * first time someone asks) and served from here afterwards. Keyed by the two versions' content
 * hashes and the engine version that computed them: published content never changes, and a newer
 * engine simply misses and recomputes (ADR 0018). Derived data: losing a row costs one comparison.
 */
export const storedDiffs = sqliteTable(
  "stored_diffs",
  {
    fromHash: text("from_hash").notNull(),
    toHash: text("to_hash").notNull(),
    /** DIFF_ENGINE_VERSION (app/core/diff/redline.ts) of the engine that computed the row. */
    engine: integer("engine").notNull(),
    /** Statistics, materiality suggestion and changed sections (small; JSON). */
    summary: text("summary", { mode: "json" }).$type<RedlineSummary>().notNull(),
    /**
     * The diff's blocks as JSON text, kept as a string (not a JSON column): written and read as is,
     * parsed only for the JSON API.
     */
    blocks: text("blocks").notNull(),
    /** The whole redline as HTML (escaped text, `<ins>`/`<del>`). */
    html: text("html").notNull(),
    /** Only the changed blocks under their section paths (the workspace's "changes only" view). */
    changesHtml: text("changes_html").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.fromHash, t.toHash, t.engine] })],
);

export type StoredDiff = typeof storedDiffs.$inferSelect;

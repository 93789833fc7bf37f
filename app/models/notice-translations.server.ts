/** The published translations that speak for a notice, read once per batch or page (issue 16). */
import { sql } from "drizzle-orm";
import { row, rows } from "../../db/dialect";
import type { Audience } from "../core/notify/audience";
import {
  type NoticeTranslation,
  pickTranslations,
  type TranslationCandidate,
} from "../core/notify/translations";
import { reader } from "./db.server";
import { audienceCondition } from "./subscribers.server";

/**
 * The translations of notice `noticeId`'s version, per locale, as they stood at `asOf` (an ISO
 * time): a batch passes the time it was frozen, so every retry renders the same words even if a
 * translation is published in between.
 */
export async function noticeTranslations(
  noticeId: number,
  asOf: string = new Date().toISOString(),
): Promise<Map<string, NoticeTranslation>> {
  const db = reader();
  const source = await row<{ documentId: number; versionId: number; publishedAt: string | null }>(
    db,
    sql`SELECT n.document_id AS "documentId", n.version_id AS "versionId", v.published_at AS "publishedAt"
        FROM notices n JOIN versions v ON v.id = n.version_id WHERE n.id = ${noticeId}`,
  );
  if (!source?.publishedAt) return new Map();
  const candidates = await rows<TranslationCandidate>(
    db,
    sql`SELECT t.locale, t.title, tv.number, tv.summary, tv.published_at AS "publishedAt",
               tv.based_on_version_id AS "basedOnVersionId", b.document_id AS "basedOnDocumentId"
        FROM documents t
        JOIN versions tv ON tv.document_id = t.id
        LEFT JOIN versions b ON b.id = tv.based_on_version_id
        WHERE t.translation_of_id = ${source.documentId}
          AND tv.state IN ('published', 'superseded') AND tv.published_at <= ${asOf}`,
  );
  return pickTranslations({ ...source, publishedAt: source.publishedAt }, candidates);
}

/** Active subscribers of an audience per locale, most first: whose language a notice must speak. */
export async function audienceLocales(
  audience: Audience | null,
): Promise<{ locale: string; subscribers: number }[]> {
  const found = await rows<{ locale: string; subscribers: number }>(
    reader(),
    sql`SELECT locale, count(*) AS subscribers FROM subscribers
        WHERE status = 'active' AND ${audienceCondition(reader(), audience)}
        GROUP BY locale ORDER BY count(*) DESC, locale`,
  );
  return found.map((r) => ({ locale: r.locale, subscribers: Number(r.subscribers) }));
}

/**
 * When the dashboard banner first showed a notice to a subscriber (issue 16, item 5). Shown is a
 * fact of its own: it neither acknowledges nor dismisses anything.
 */
import { sql } from "drizzle-orm";
import { row, rows } from "../../db/dialect";
import type { SubscriberStatus } from "../core/notify/statuses";
import { Refusal } from "../core/refusal";
import { erasedRefusal } from "./acknowledgements.server";
import { recordAudit } from "./audit.server";
import { transaction } from "./db.server";

/**
 * Records the first showing of notice `noticeId` to `externalId`; later ones change nothing and
 * answer the first time. "Not found" for a notice that was not addressed to them, as for
 * acknowledgements. The first showing is chained in the audit log (`notice.shown`).
 */
export async function recordNoticeShown({
  externalId,
  noticeId,
  now = new Date(),
}: {
  externalId: string;
  noticeId: number;
  now?: Date;
}): Promise<{ firstShownAt: string; created: boolean }> {
  const notFound = () => new Refusal("not-found", `no notice ${noticeId} for subscriber "${externalId}"`);
  if (!Number.isSafeInteger(noticeId) || noticeId < 1) throw notFound();
  return transaction(async (tx) => {
    const target = await row<{ subscriberId: number; status: SubscriberStatus }>(
      tx,
      sql`SELECT s.id AS "subscriberId", s.status FROM subscribers s
          WHERE s.external_id = ${externalId}
            AND EXISTS (SELECT 1 FROM deliveries x WHERE x.subscriber_id = s.id AND x.notice_id = ${noticeId})`,
    );
    if (!target) throw notFound();
    if (target.status === "erased") throw erasedRefusal(externalId);
    const at = now.toISOString();
    const inserted = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO notice_views (notice_id, subscriber_id, first_shown_at)
          VALUES (${noticeId}, ${target.subscriberId}, ${at})
          ON CONFLICT (notice_id, subscriber_id) DO NOTHING RETURNING id`,
    );
    if (inserted.length > 0) {
      await recordAudit(tx, {
        actor: { kind: "system" },
        action: "notice.shown",
        details: { noticeId, subscriberId: target.subscriberId, externalId, shownAt: at, via: "user-token" },
      });
      return { firstShownAt: at, created: true };
    }
    const first = await row<{ firstShownAt: string }>(
      tx,
      sql`SELECT first_shown_at AS "firstShownAt" FROM notice_views
          WHERE notice_id = ${noticeId} AND subscriber_id = ${target.subscriberId}`,
    );
    return { firstShownAt: first?.firstShownAt ?? at, created: false };
  });
}

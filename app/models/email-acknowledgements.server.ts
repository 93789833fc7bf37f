/**
 * The confirmation page behind an email's acknowledgement link (issue 16, item 3): what the link's
 * delivery is about, and whether it was acknowledged already. Reads only; recording goes through
 * `acknowledgeNotice` with the channel `email`.
 */
import { sql } from "drizzle-orm";
import { row } from "../../db/dialect";
import type { SubscriberStatus } from "../core/notify/statuses";
import { reader } from "./db.server";

export type EmailAckTarget = {
  noticeId: number;
  externalId: string;
  subscriberStatus: SubscriberStatus;
  locale: string;
  slug: string;
  documentLocale: string;
  title: string;
  version: number;
  summary: string;
  effectiveAt: string;
  redlineFrom: number | null;
  /** The first acknowledgement of this version, by any channel. */
  acknowledgedAt: string | null;
};

/** The email delivery a link names; undefined when there is none (or it was not an email). */
export async function emailAckTarget(deliveryId: number): Promise<EmailAckTarget | undefined> {
  const found = await row<Omit<EmailAckTarget, "summary"> & { summary: string | null }>(
    reader(),
    // A reminder's link acknowledges the notice it reminds of: that is the notice the person was given.
    sql`SELECT coalesce(n.reminder_of, n.id) AS "noticeId", s.external_id AS "externalId", s.status AS "subscriberStatus",
               s.locale, d.slug, d.locale AS "documentLocale", d.title, v.number AS version,
               v.summary, v.effective_at AS "effectiveAt",
               coalesce(x.redline_from, n.previous_number) AS "redlineFrom",
               (SELECT a.acknowledged_at FROM acknowledgements a
                 WHERE a.subscriber_id = s.id AND a.version_id = v.id) AS "acknowledgedAt"
        FROM deliveries x
        JOIN subscribers s ON s.id = x.subscriber_id
        JOIN notices n ON n.id = x.notice_id
        JOIN versions v ON v.id = n.version_id
        JOIN documents d ON d.id = n.document_id
        WHERE x.id = ${deliveryId} AND x.channel = 'email'`,
  );
  return found ? { ...found, summary: found.summary ?? "" } : undefined;
}

/**
 * Reminder rounds (issue 16, item 4). A round is a notice of its own — email only, same version,
 * `reminder_of` the notice it reminds of, `reminder_round` 1, 2, … — so it goes through the same
 * outbox as every notice: fixed batches, idempotency keys of its own, the shared rate, the audit
 * log and the proof ledger, with no second sending path to keep honest.
 */
import { sql } from "drizzle-orm";
import { execute, first, rows } from "../../db/dialect";
import { notices } from "../../db/tables";
import { BATCH_SIZE, batchCount } from "../core/notify/batching";
import { nextReminderDueAt } from "../core/notify/reminders";
import { recordAudit } from "./audit.server";
import { reader, transaction } from "./db.server";

type QueuedReminder = { noticeId: number; reminderNoticeId: number; round: number; emails: number };

type Candidate = {
  id: number;
  documentId: number;
  versionId: number;
  version: number;
  previousNumber: number | null;
  createdAt: string;
  afterDays: number;
  times: number;
  rounds: number;
  lastRoundAt: string | null;
};

/**
 * The notices whose version is still the published one, that ask for reminders and have rounds
 * left, and whose email (and every earlier round) is no longer being sent: a reminder never
 * overtakes the email it reminds of.
 */
function candidates() {
  return rows<Candidate>(
    reader(),
    sql`
    SELECT n.id, n.document_id AS "documentId", n.version_id AS "versionId", v.number AS version,
           n.previous_number AS "previousNumber", n.created_at AS "createdAt",
           n.reminder_after_days AS "afterDays", n.reminder_max AS times,
           CAST((SELECT count(*) FROM notices r WHERE r.reminder_of = n.id) AS integer) AS rounds,
           (SELECT max(r.created_at) FROM notices r WHERE r.reminder_of = n.id) AS "lastRoundAt"
    FROM notices n JOIN versions v ON v.id = n.version_id
    WHERE n.reminder_after_days IS NOT NULL AND n.reminder_of IS NULL AND v.state = 'published'
      AND (SELECT count(*) FROM notices r WHERE r.reminder_of = n.id) < n.reminder_max
      AND NOT EXISTS (
        SELECT 1 FROM delivery_batches b
        WHERE b.status = 'pending'
          AND (b.notice_id = n.id OR b.notice_id IN (SELECT r.id FROM notices r WHERE r.reminder_of = n.id)))
    ORDER BY n.id`,
  );
}

/**
 * Enqueues every reminder round that is due at `now`: one transaction per round, which inserts the
 * round's notice, one email delivery per subscriber still pending and the round's batches. The
 * unique (reminder_of, reminder_round) index makes a round exist once however many workers look at
 * the same moment: the loser's insert does nothing and it moves on; a crash before the commit
 * leaves nothing behind, so the next look enqueues the round whole.
 *
 * Still pending = the notice's email was handed over to them (sent or delivered: not bounced,
 * failed or skipped), they are still active, and they have acknowledged neither this version nor a
 * later one of the document (ADR 0007's rule).
 */
export async function enqueueDueReminders({
  now = Date.now(),
}: {
  now?: number;
} = {}): Promise<QueuedReminder[]> {
  const queued: QueuedReminder[] = [];
  for (const notice of await candidates()) {
    const next = nextReminderDueAt(notice);
    if (!next || next.dueAtMs > now) continue;
    const round = await transaction(async (tx) => {
      const at = new Date(now).toISOString();
      const inserted = await first(
        tx
          .insert(notices)
          .values({
            documentId: notice.documentId,
            versionId: notice.versionId,
            previousNumber: notice.previousNumber,
            channels: ["email"],
            audience: null,
            requiresAck: true,
            createdBy: "system",
            createdAt: at,
            reminderOf: notice.id,
            reminderRound: next.round,
          })
          .onConflictDoNothing()
          .returning({ id: notices.id }),
      );
      if (!inserted) return null;
      // The batch size is spliced in, not bound: the division must be an integer one (see enqueueNotice).
      const emails = await execute(
        tx,
        sql`
        INSERT INTO deliveries (notice_id, subscriber_id, channel, batch_number, status)
        SELECT ${inserted.id}, s.id, 'email', (row_number() OVER (ORDER BY s.id) - 1) / ${sql.raw(String(BATCH_SIZE))} + 1, 'pending'
        FROM subscribers s
        WHERE s.status = 'active'
          AND EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = s.id AND d.notice_id = ${notice.id}
            AND d.channel = 'email' AND d.status IN ('sent', 'delivered'))
          AND NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.subscriber_id = s.id
            AND a.document_id = ${notice.documentId} AND a.version_number >= ${notice.version})
        ORDER BY s.id`,
      );
      const batches = batchCount(emails);
      await execute(
        tx,
        sql`
        WITH RECURSIVE n(x) AS (SELECT 1 WHERE ${batches} > 0
          UNION ALL SELECT x + 1 FROM n WHERE x < ${batches})
        INSERT INTO delivery_batches (notice_id, number) SELECT ${inserted.id}, x FROM n`,
      );
      await execute(tx, sql`UPDATE notices SET batch_count = ${batches} WHERE id = ${inserted.id}`);
      // The round is a notice: recorded as one (so `audit verify` checks it against its row like any
      // other), naming the notice it reminds of and which round it is.
      await recordAudit(tx, {
        actor: { kind: "system" },
        action: "notice.created",
        documentId: notice.documentId,
        versionId: notice.versionId,
        details: {
          noticeId: inserted.id,
          channels: ["email"],
          audience: null,
          requiresAck: true,
          reminderOf: notice.id,
          round: next.round,
          of: notice.times,
          emailDeliveries: emails,
          dashboardDeliveries: 0,
          batches,
        },
      });
      return { noticeId: notice.id, reminderNoticeId: inserted.id, round: next.round, emails };
    });
    if (round) queued.push(round);
  }
  return queued;
}

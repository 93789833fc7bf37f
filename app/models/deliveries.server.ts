import type Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { execute, row, rowLock, rows } from "../../db/dialect";
import { batchIdempotencyKey } from "../core/notify/batching";
import type { NoticeAudienceKind } from "../core/notify/statuses";
import { recordAudit } from "./audit.server";
import { engine, reader, transaction, transactionClient, write } from "./db.server";

/** What the email of a notice says: everything comes from the immutable published version. */
export type NoticeContent = {
  noticeId: number;
  documentId: number;
  slug: string;
  documentLocale: string;
  title: string;
  version: number;
  summary: string;
  effectiveAt: string;
  lastUpdated: string;
  previousNumber: number | null;
  /** Whether the notice asks for acknowledgement (the email then carries a confirmation link). */
  requiresAck: boolean;
  /** A reminder round (1, 2, …) of an earlier notice of this version; null for the notice itself. */
  reminderRound: number | null;
  /** For a reminder: when the notice it reminds of was created (the email says "we wrote to you on …"). */
  remindsOfAt: string | null;
  /** 'public': an update email to public subscribers (`public_deliveries`), not a product notice. */
  audienceKind: NoticeAudienceKind;
};

export type BatchMember = {
  deliveryId: number;
  email: string;
  name: string | null;
  locale: string;
  redlineFrom: number | null;
};

export type ClaimedBatch = {
  batchId: number;
  noticeId: number;
  number: number;
  generation: number;
  /** This attempt's number, from 1. */
  attempt: number;
  idempotencyKey: string;
  /** When membership and recipients were fixed: the "as of" of everything the body says. */
  frozenAt: string;
  content: NoticeContent;
  /** Ordered by delivery id: the order of the emails in the request and of the ids it returns. */
  members: BatchMember[];
};

type BatchRow = {
  id: number;
  notice_id: number;
  number: number;
  generation: number;
  attempts: number;
  frozen_at: string | null;
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Claims the next due batch for `owner` until `leaseMs` from now, in one transaction: the lease is
 * the batch's next_attempt_at, so an expired lease (a crashed worker) makes the batch due again with
 * no extra bookkeeping. On SQLite the transaction is IMMEDIATE (one writer); on PostgreSQL it does
 * not queue behind the writers' lock: the batch row is picked `FOR UPDATE SKIP LOCKED`, so
 * dispatchers in any number of processes claim disjoint batches at once, and only an audit append
 * (skipped subscribers) waits for the writers' lock (ADR 0025). On a batch's first claim its membership is decided and its
 * recipients copied (frozen): subscribers erased, bounced or complaining by now are skipped, and
 * every later attempt rebuilds exactly the same request from the copy.
 */
export function claimBatch({
  owner,
  leaseMs,
  now = Date.now(),
}: {
  owner: string;
  leaseMs: number;
  now?: number;
}): Promise<ClaimedBatch | null> {
  return transaction(
    async (tx) => {
      const batch = await row<BatchRow | undefined>(
        tx,
        sql`
        UPDATE delivery_batches
        SET lease_owner = ${owner}, leased_until = ${iso(now + leaseMs)}, next_attempt_at = ${iso(now + leaseMs)},
            attempts = attempts + 1, updated_at = ${iso(now)}
        WHERE id = (
          SELECT id FROM delivery_batches
          WHERE status = 'pending' AND next_attempt_at <= ${iso(now)}
          ORDER BY next_attempt_at, id LIMIT 1${rowLock(tx, "skip-locked")})
        RETURNING id, notice_id, number, generation, attempts, frozen_at`,
      );
      if (!batch) return null;
      const content = (await row<NoticeContent>(
        tx,
        sql`
        SELECT n.id AS "noticeId", d.id AS "documentId", d.slug, d.locale AS "documentLocale", d.title,
               v.number AS version, v.summary, v.effective_at AS "effectiveAt", v.last_updated AS "lastUpdated",
               n.previous_number AS "previousNumber", n.requires_ack AS "requiresAck",
               n.reminder_round AS "reminderRound",
               (SELECT p.created_at FROM notices p WHERE p.id = n.reminder_of) AS "remindsOfAt",
               n.audience_kind AS "audienceKind"
        FROM notices n JOIN versions v ON v.id = n.version_id JOIN documents d ON d.id = n.document_id
        WHERE n.id = ${batch.notice_id}`,
      ))!;
      if (content.audienceKind === "public") {
        const members = await freezePublicBatch(tx, batch, content, now);
        return claimed(batch, content, members, now);
      }
      const inBatch = sql`deliveries.notice_id = ${batch.notice_id} AND deliveries.batch_number = ${batch.number}
        AND deliveries.channel = 'email' AND deliveries.status = 'pending' AND s.id = deliveries.subscriber_id`;
      if (!batch.frozen_at) {
        // PostgreSQL: the batch's subscribers cannot change (erasure, bounce, new address) between
        // reading their status and copying their address; one changing now is waited for, then seen.
        await execute(
          tx,
          sql`SELECT s.id FROM deliveries, subscribers s WHERE ${inBatch} ORDER BY s.id${rowLock(tx, { shareOf: "s" })}`,
        );
        const skipped = await rows<{ id: number; subscriber_id: number }>(
          tx,
          sql`
          UPDATE deliveries SET status = 'skipped', status_at = ${iso(now)},
            last_error = 'not sent: subscriber ' || s.status || ' before the batch went out'
          FROM subscribers s WHERE ${inBatch} AND s.status <> 'active'
          RETURNING deliveries.id, deliveries.subscriber_id`,
        );
        if (content.reminderRound !== null) {
          // A reminder stops the moment the person acknowledges: whoever did since the round was
          // enqueued is not reminded (this version or a later one settles it, ADR 0007).
          skipped.push(
            ...(await rows<{ id: number; subscriber_id: number }>(
              tx,
              sql`
              UPDATE deliveries SET status = 'skipped', status_at = ${iso(now)},
                last_error = 'not sent: acknowledged before the reminder went out'
              FROM subscribers s WHERE ${inBatch} AND s.status = 'active'
                AND EXISTS (SELECT 1 FROM acknowledgements a WHERE a.subscriber_id = s.id
                  AND a.document_id = ${content.documentId} AND a.version_number >= ${content.version})
              RETURNING deliveries.id, deliveries.subscriber_id`,
            )),
          );
        }
        // Proof: who was deliberately not emailed, chained in the audit log.
        if (skipped.length > 0) {
          await recordAudit(tx, {
            actor: { kind: "system" },
            action: "delivery.skipped",
            details: {
              noticeId: batch.notice_id,
              batch: batch.number,
              at: iso(now),
              deliveries: skipped.map((d) => [d.id, d.subscriber_id]).sort((a, b) => a[0] - b[0]),
            },
          });
        }
        await execute(
          tx,
          sql`
          UPDATE deliveries SET status = 'sending', status_at = ${iso(now)},
            recipient_email = s.email, recipient_name = s.name, recipient_locale = s.locale,
            redline_from = coalesce(
              (SELECT max(a.version_number) FROM acknowledgements a
               WHERE a.subscriber_id = s.id AND a.document_id = ${content.documentId}
                 AND a.version_number < ${content.version}),
              ${content.previousNumber})
          FROM subscribers s WHERE ${inBatch} AND s.status = 'active'`,
        );
        await execute(tx, sql`UPDATE delivery_batches SET frozen_at = ${iso(now)} WHERE id = ${batch.id}`);
      }
      const members = await rows<BatchMember>(
        tx,
        sql`
        SELECT id AS "deliveryId", recipient_email AS email, recipient_name AS name,
               coalesce(recipient_locale, 'en') AS locale, redline_from AS "redlineFrom"
        FROM deliveries
        WHERE notice_id = ${batch.notice_id} AND batch_number = ${batch.number} AND channel = 'email'
          AND status = 'sending'
        ORDER BY id`,
      );
      if (members.length === 0) {
        // Everyone was skipped: nothing to send, the batch is done.
        await execute(
          tx,
          sql`UPDATE delivery_batches SET status = 'sent', lease_owner = NULL, leased_until = NULL,
          updated_at = ${iso(now)} WHERE id = ${batch.id}`,
        );
      }
      return claimed(batch, content, members, now);
    },
    { rowLocks: true },
  );
}

function claimed(batch: BatchRow, content: NoticeContent, members: BatchMember[], now: number): ClaimedBatch {
  return {
    batchId: batch.id,
    noticeId: batch.notice_id,
    number: batch.number,
    generation: batch.generation,
    attempt: batch.attempts,
    idempotencyKey: batchIdempotencyKey(batch.notice_id, batch.number, batch.generation),
    frozenAt: batch.frozen_at ?? iso(now),
    content: { ...content, requiresAck: !!content.requiresAck },
    members,
  };
}

/**
 * A public notice's batch (ADR 0029): on its first claim, emails whose subscription ended are
 * skipped and the others get their address copied; every later attempt rebuilds the same request.
 * Members carry no name and the document's own language.
 */
async function freezePublicBatch(
  tx: Transaction,
  batch: BatchRow,
  content: NoticeContent,
  now: number,
): Promise<BatchMember[]> {
  const inBatch = sql`notice_id = ${batch.notice_id} AND batch_number = ${batch.number} AND status = 'pending'`;
  if (!batch.frozen_at) {
    // PostgreSQL: an unsubscribe at this moment is waited for, then seen (as for product subscribers).
    await execute(
      tx,
      sql`SELECT s.id FROM public_deliveries d JOIN public_subscriptions s ON s.id = d.subscription_id
        WHERE d.notice_id = ${batch.notice_id} AND d.batch_number = ${batch.number} AND d.status = 'pending'
        ORDER BY s.id${rowLock(tx, { shareOf: "s" })}`,
    );
    await execute(
      tx,
      sql`UPDATE public_deliveries SET status = 'skipped', status_at = ${iso(now)},
          last_error = 'not sent: unsubscribed before the batch went out'
        WHERE ${inBatch} AND subscription_id IS NULL`,
    );
    await execute(
      tx,
      sql`UPDATE public_deliveries SET status = 'sending', status_at = ${iso(now)},
          recipient_email = (SELECT s.email FROM public_subscriptions s WHERE s.id = public_deliveries.subscription_id)
        WHERE ${inBatch} AND subscription_id IS NOT NULL`,
    );
    await execute(tx, sql`UPDATE delivery_batches SET frozen_at = ${iso(now)} WHERE id = ${batch.id}`);
  }
  const found = await rows<{ deliveryId: number; email: string }>(
    tx,
    sql`SELECT id AS "deliveryId", recipient_email AS email
        FROM public_deliveries
        WHERE notice_id = ${batch.notice_id} AND batch_number = ${batch.number} AND status = 'sending'
        ORDER BY id`,
  );
  const members = found.map((m) => ({
    ...m,
    name: null,
    locale: content.documentLocale,
    redlineFrom: content.previousNumber,
  }));
  if (members.length === 0) {
    await execute(
      tx,
      sql`UPDATE delivery_batches SET status = 'sent', lease_owner = NULL, leased_until = NULL,
        updated_at = ${iso(now)} WHERE id = ${batch.id}`,
    );
  }
  return members;
}

/**
 * Records the provider's message ids of an accepted batch and the transport that carried it, all
 * in one transaction, and blanks the recipient copies. Safe to run twice (a worker whose lease ran
 * out and its successor both get the same answer for the same idempotency key): only rows still
 * `sending` change.
 */
export function recordBatchSent({
  batchId,
  messageIds,
  transport,
  now = Date.now(),
}: {
  batchId: number;
  messageIds: string[];
  /** MailTransport.label: "resend", "resend-compatible <origin>" or "capture". */
  transport: string;
  now?: number;
}): Promise<{ recorded: number }> {
  return transaction(async (tx) => {
    const batch = await row<{ notice_id: number; number: number; status: string } | undefined>(
      tx,
      sql`SELECT notice_id, number, status FROM delivery_batches WHERE id = ${batchId}`,
    );
    if (!batch || batch.status === "sent") return { recorded: 0 };
    if (await isPublicNotice(tx, batch.notice_id)) {
      return { recorded: await recordPublicBatchSent(tx, { batchId, batch, messageIds, transport, now }) };
    }
    const members = await rows<{ id: number; subscriber_id: number }>(
      tx,
      sql`
        SELECT id, subscriber_id FROM deliveries WHERE notice_id = ${batch.notice_id} AND batch_number = ${batch.number}
          AND channel = 'email' AND status = 'sending' ORDER BY id`,
    );
    if (members.length !== messageIds.length) {
      throw new Error(
        `batch ${batchId}: the provider returned ${messageIds.length} message ids for ${members.length} emails`,
      );
    }
    if (engine().kind === "postgres") {
      // One statement for the batch: a round trip per email would cost more than the update.
      await execute(
        tx,
        sql`UPDATE deliveries SET status = 'sent', provider_message_id = given.message_id, transport = ${transport},
            sent_at = ${iso(now)}, status_at = ${iso(now)}, last_error = NULL, recipient_email = NULL, recipient_name = NULL
          FROM unnest(${sql.param(members.map((m) => m.id))}::integer[], ${sql.param(messageIds)}::text[])
            AS given(id, message_id)
          WHERE deliveries.id = given.id`,
      );
    } else {
      // One statement prepared once and run per email (a batch holds up to 100): a drizzle `sql` per
      // email would be prepared again each time.
      const update = markSentStatementOf(transactionClient());
      for (const [i, member] of members.entries())
        update.run(messageIds[i], transport, iso(now), iso(now), member.id);
    }
    await execute(
      tx,
      sql`UPDATE delivery_batches SET status = 'sent', sent_at = ${iso(now)}, last_error = NULL,
        lease_owner = NULL, leased_until = NULL, updated_at = ${iso(now)} WHERE id = ${batchId}`,
    );
    // Proof: each email's provider id and what carried it, chained in the audit log.
    await recordAudit(tx, {
      actor: { kind: "system" },
      action: "delivery.sent",
      details: {
        noticeId: batch.notice_id,
        batch: batch.number,
        sentAt: iso(now),
        transport,
        deliveries: members.map((m, i) => [m.id, m.subscriber_id, messageIds[i]]),
      },
    });
    return { recorded: members.length };
  });
}

async function isPublicNotice(tx: Transaction, noticeId: number): Promise<boolean> {
  const found = await row<{ kind: string }>(
    tx,
    sql`SELECT audience_kind AS kind FROM notices WHERE id = ${noticeId}`,
  );
  return found?.kind === "public";
}

/**
 * recordBatchSent for a public notice's batch: the same facts on `public_deliveries`, the address
 * blanked at once. Its audit entry counts the emails and names no one (these people have no proof
 * ledger; the provider's ids stay on the rows).
 */
async function recordPublicBatchSent(
  tx: Transaction,
  {
    batchId,
    batch,
    messageIds,
    transport,
    now,
  }: {
    batchId: number;
    batch: { notice_id: number; number: number };
    messageIds: string[];
    transport: string;
    now: number;
  },
): Promise<number> {
  const members = await rows<{ id: number }>(
    tx,
    sql`SELECT id FROM public_deliveries WHERE notice_id = ${batch.notice_id} AND batch_number = ${batch.number}
      AND status = 'sending' ORDER BY id`,
  );
  if (members.length !== messageIds.length) {
    throw new Error(
      `batch ${batchId}: the provider returned ${messageIds.length} message ids for ${members.length} emails`,
    );
  }
  for (const [i, member] of members.entries()) {
    await execute(
      tx,
      sql`UPDATE public_deliveries SET status = 'sent', provider_message_id = ${messageIds[i]}, transport = ${transport},
          sent_at = ${iso(now)}, status_at = ${iso(now)}, last_error = NULL, recipient_email = NULL
        WHERE id = ${member.id}`,
    );
  }
  await execute(
    tx,
    sql`UPDATE delivery_batches SET status = 'sent', sent_at = ${iso(now)}, last_error = NULL,
      lease_owner = NULL, leased_until = NULL, updated_at = ${iso(now)} WHERE id = ${batchId}`,
  );
  await recordAudit(tx, {
    actor: { kind: "system" },
    action: "public-update.sent",
    details: {
      noticeId: batch.notice_id,
      batch: batch.number,
      sentAt: iso(now),
      transport,
      emails: members.length,
    },
  });
  return members.length;
}

/**
 * A provider's event about a public update email (ADR 0029): its status moves like a product
 * email's; a complaint or a permanent bounce ends the subscription, so that address is never mailed
 * again (and no longer stored). No audit entry names the person.
 */
async function applyPublicProviderEvent(
  tx: Transaction,
  event: { providerMessageId: string | null; at: string; bounceType?: string | null },
  status: string,
): Promise<boolean> {
  const delivery = await row<{ id: number; subscription_id: number | null }>(
    tx,
    sql`SELECT id, subscription_id FROM public_deliveries WHERE provider_message_id = ${event.providerMessageId}`,
  );
  if (!delivery) return false;
  const allowedFrom = status === "delivered" ? sql`('sent')` : sql`('sent', 'delivered')`;
  await execute(
    tx,
    sql`UPDATE public_deliveries SET status = ${status}, status_at = ${event.at},
        last_error = ${status === "bounced" ? `bounced: ${event.bounceType ?? "unknown"}` : null}
      WHERE id = ${delivery.id} AND status IN ${allowedFrom}`,
  );
  const stopsEmail = status === "complained" || (status === "bounced" && event.bounceType !== "Transient");
  if (stopsEmail && delivery.subscription_id !== null) {
    await execute(tx, sql`DELETE FROM public_subscriptions WHERE id = ${delivery.subscription_id}`);
    await recordAudit(tx, {
      actor: { kind: "system" },
      action: "public-subscription.ended",
      details: { subscriptionId: delivery.subscription_id, via: status },
    });
  }
  return true;
}

const markSentStatements = new WeakMap<Database.Database, Database.Statement>();

function markSentStatementOf(client: Database.Database): Database.Statement {
  let statement = markSentStatements.get(client);
  if (!statement) {
    statement = client.prepare(`
      UPDATE deliveries SET status = 'sent', provider_message_id = ?, transport = ?, sent_at = ?,
        status_at = ?, last_error = NULL, recipient_email = NULL, recipient_name = NULL
      WHERE id = ?`);
    markSentStatements.set(client, statement);
  }
  return statement;
}

/**
 * After an attempt that did not succeed: schedule the next one, or — when the failure is
 * permanent or the attempts are used up — mark the batch and its emails failed with the reason.
 * Does nothing if `owner` no longer holds the lease (another worker took the batch over).
 */
export function recordBatchFailure({
  batchId,
  owner,
  reason,
  retryInMs,
  countsAsAttempt = true,
  now = Date.now(),
}: {
  batchId: number;
  owner: string;
  reason: string;
  /** null: give up now. */
  retryInMs: number | null;
  /** A 429 is the provider pacing us, not a failure: it gives the attempt back. */
  countsAsAttempt?: boolean;
  now?: number;
}): Promise<"rescheduled" | "failed" | "lease-lost"> {
  return transaction(async (tx) => {
    const batch = await row<{ notice_id: number; number: number } | undefined>(
      tx,
      sql`
        SELECT notice_id, number FROM delivery_batches
        WHERE id = ${batchId} AND status = 'pending' AND lease_owner = ${owner}${rowLock(tx, "wait")}`,
    );
    if (!batch) return "lease-lost" as const;
    if (retryInMs !== null) {
      await execute(
        tx,
        sql`UPDATE delivery_batches SET next_attempt_at = ${iso(now + retryInMs)}, last_error = ${reason},
          attempts = attempts - ${countsAsAttempt ? 0 : 1}, lease_owner = NULL, leased_until = NULL,
          updated_at = ${iso(now)} WHERE id = ${batchId}`,
      );
      return "rescheduled" as const;
    }
    await execute(
      tx,
      sql`UPDATE delivery_batches SET status = 'failed', last_error = ${reason}, lease_owner = NULL,
        leased_until = NULL, updated_at = ${iso(now)} WHERE id = ${batchId}`,
    );
    if (await isPublicNotice(tx, batch.notice_id)) {
      await execute(
        tx,
        sql`UPDATE public_deliveries SET status = 'failed', last_error = ${reason}, status_at = ${iso(now)},
            recipient_email = NULL
          WHERE notice_id = ${batch.notice_id} AND batch_number = ${batch.number} AND status = 'sending'`,
      );
      return "failed" as const;
    }
    const failed = await rows<{
      id: number;
      subscriber_id: number;
    }>(
      tx,
      sql`UPDATE deliveries SET status = 'failed',
          last_error = ${reason}, status_at = ${iso(now)}, recipient_email = NULL, recipient_name = NULL
        WHERE notice_id = ${batch.notice_id} AND batch_number = ${batch.number} AND channel = 'email'
          AND status = 'sending'
        RETURNING id, subscriber_id`,
    );
    // Proof of the failure. The reason stays on the delivery rows only: a provider's message may quote an
    // address, and the audit log can never be pseudonymised.
    if (failed.length > 0) {
      await recordAudit(tx, {
        actor: { kind: "system" },
        action: "delivery.failed",
        details: {
          noticeId: batch.notice_id,
          batch: batch.number,
          failedAt: iso(now),
          deliveries: failed.map((d) => [d.id, d.subscriber_id]).sort((a, b) => a[0] - b[0]),
        },
      });
    }
    return "failed" as const;
  });
}

/**
 * Gives a claimed batch back unsent (a dispatcher shutting down before its turn at the rate
 * limiter): the lease is cleared, the attempt returned and the batch due at once for any worker.
 * Does nothing if `owner` no longer holds the lease.
 */
export async function releaseBatch({
  batchId,
  owner,
  now = Date.now(),
}: {
  batchId: number;
  owner: string;
  now?: number;
}): Promise<boolean> {
  const released = await write((db) =>
    execute(
      db,
      sql`UPDATE delivery_batches SET lease_owner = NULL, leased_until = NULL,
      next_attempt_at = ${iso(now)}, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ${iso(now)}
    WHERE id = ${batchId} AND status = 'pending' AND lease_owner = ${owner}`,
    ),
  );
  return released > 0;
}

/** Whether any email batch is still waiting to go out (leased, backing off or due). */
export async function hasPendingBatches(): Promise<boolean> {
  return !!(await row<{ one: number } | undefined>(
    reader(),
    sql`SELECT 1 AS one FROM delivery_batches WHERE status = 'pending' LIMIT 1`,
  ));
}

/** When the earliest pending batch is due (ms since epoch), or null when none is pending. */
export async function nextBatchDueAt(): Promise<number | null> {
  const found = await row<{ at: string } | undefined>(
    reader(),
    sql`
    SELECT next_attempt_at AS at FROM delivery_batches WHERE status = 'pending'
    ORDER BY next_attempt_at LIMIT 1`,
  );
  return found ? Date.parse(found.at) : null;
}

/**
 * Email batches not yet resolved (the metrics' outbox gauge): `sending` while a dispatcher holds a
 * live lease, `pending` while waiting (due, or backing off). Reads only the partial index of
 * pending batches, so it costs the size of the backlog, never the size of the history.
 */
export async function unresolvedBatches(now = Date.now()): Promise<{ pending: number; sending: number }> {
  const found = await row<{ total: number; sending: number | null }>(
    reader(),
    sql`
    SELECT CAST(count(*) AS integer) AS total,
      CAST(count(*) FILTER (WHERE leased_until > ${iso(now)}) AS integer) AS sending
    FROM delivery_batches WHERE status = 'pending'`,
  );
  const sending = found?.sending ?? 0;
  return { pending: (found?.total ?? 0) - sending, sending };
}

export type ProviderEvent = {
  svixId: string;
  type: string;
  providerMessageId: string | null;
  /** Our delivery id from the email's tags, when the event carries it. */
  deliveryId: number | null;
  /** For bounces: "Permanent", "Transient", … */
  bounceType?: string | null;
  at: string;
};

export type ProviderEventOutcome = "applied" | "duplicate" | "ignored" | "not-yet-recorded";

const EVENT_STATUS: Record<string, "delivered" | "bounced" | "complained"> = {
  "email.delivered": "delivered",
  "email.bounced": "bounced",
  "email.complained": "complained",
};

/**
 * Applies one provider webhook event exactly once (by svix-id). Delivered, bounced and complained
 * move the delivery forward (never back: a late "delivered" does not undo a bounce); a permanent
 * bounce or a complaint also stops all further email to the subscriber.
 */
export function applyProviderEvent(event: ProviderEvent): Promise<ProviderEventOutcome> {
  return transaction(async (tx) => {
    const seen = await row(tx, sql`SELECT 1 AS one FROM webhook_events WHERE svix_id = ${event.svixId}`);
    if (seen) return "duplicate" as const;
    const status = EVENT_STATUS[event.type];
    let outcome: ProviderEventOutcome = "ignored";
    if (status) {
      const delivery = event.providerMessageId
        ? await row<{ id: number; subscriber_id: number; notice_id: number } | undefined>(
            tx,
            sql`
              SELECT id, subscriber_id, notice_id FROM deliveries WHERE provider_message_id = ${event.providerMessageId}`,
          )
        : undefined;
      if (!delivery && event.providerMessageId) {
        const applied = await applyPublicProviderEvent(tx, event, status);
        if (applied) outcome = "applied";
      }
      if (!delivery && event.deliveryId !== null) {
        const ours = await row<{ status: string } | undefined>(
          tx,
          sql`SELECT status FROM deliveries WHERE id = ${event.deliveryId} AND channel = 'email'`,
        );
        // Accepted by the provider, but the worker has not recorded the ids yet (or crashed before
        // it could): let the sender retry the webhook later rather than lose the event.
        if (ours?.status === "sending") return "not-yet-recorded" as const;
      }
      if (delivery) {
        const allowedFrom = status === "delivered" ? sql`('sent')` : sql`('sent', 'delivered')`;
        const moved = await execute(
          tx,
          sql`UPDATE deliveries SET status = ${status}, status_at = ${event.at},
              last_error = ${status === "bounced" ? `bounced: ${event.bounceType ?? "unknown"}` : null}
            WHERE id = ${delivery.id} AND status IN ${allowedFrom}`,
        );
        // Proof: the provider's outcome for this email, chained in the audit log.
        if (moved > 0) {
          await recordAudit(tx, {
            actor: { kind: "system" },
            action: `delivery.${status}`,
            details: {
              noticeId: delivery.notice_id,
              deliveryId: delivery.id,
              subscriberId: delivery.subscriber_id,
              providerMessageId: event.providerMessageId,
              at: event.at,
              ...(event.bounceType ? { bounceType: event.bounceType } : {}),
              svixId: event.svixId,
            },
          });
        }
        const stopsEmail =
          status === "complained" || (status === "bounced" && event.bounceType !== "Transient");
        if (stopsEmail) {
          await execute(
            tx,
            sql`UPDATE subscribers SET status = ${status},
                status_reason = ${status === "bounced" ? `bounce: ${event.bounceType ?? "unknown"}` : "complaint"},
                updated_at = ${event.at}
              WHERE id = ${delivery.subscriber_id} AND status = 'active'`,
          );
        }
        outcome = "applied";
      }
    }
    await execute(
      tx,
      sql`INSERT INTO webhook_events (svix_id, type, provider_message_id)
        VALUES (${event.svixId}, ${event.type}, ${event.providerMessageId})`,
    );
    return outcome;
  });
}

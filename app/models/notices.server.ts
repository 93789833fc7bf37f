import { and, desc, eq, gte, isNotNull, isNull, min, sql } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { countAll, execute, first, rows } from "../../db/dialect";
import {
  type Channel,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  deliveries,
  deliveryBatches,
  documents,
  type Notice,
  notices,
  versions,
} from "../../db/tables";
import type { Audience } from "../core/notify/audience";
import { isThrottling } from "../core/notify/backoff";
import { BATCH_SIZE, batchCount } from "../core/notify/batching";
import { type ReminderSettings, reminderSettingsProblem } from "../core/notify/reminders";
import { estimateSend } from "../core/notify/send-estimate";
import type { NoticeAudienceKind } from "../core/notify/statuses";
import { Refusal } from "../core/refusal";
import { recordAudit } from "./audit.server";
import { type Actor, actorLabel, reader, transaction } from "./db.server";
import { coveringAcknowledgementId } from "./notice-rules.server";
import { audienceCondition } from "./subscribers.server";

export type NoticeRequest = {
  channels: Channel[];
  audience?: Audience | null;
  requireAck?: boolean;
  /**
   * Email reminders to those who have not acknowledged (issue 16, item 4): the first `afterDays`
   * days after the notice, each further one `afterDays` after the previous, at most `times`.
   */
  reminders?: ReminderSettings | null;
};

export type EnqueuedNotice = {
  notice: Notice;
  emailDeliveries: number;
  dashboardDeliveries: number;
  batches: number;
};

/**
 * Creates a notice and its outbox inside the caller's (publish) transaction: one delivery row per
 * targeted subscriber and channel, written by INSERT … SELECT, and email rows split into batches
 * of at most 100 numbered by subscriber id — fixed now, so every later retry sends the same batch.
 */
export async function enqueueNotice(
  tx: Transaction,
  input: NoticeRequest & {
    documentId: number;
    versionId: number;
    previousNumber: number | null;
    actor: Actor;
    /** Earlier notices whose subscribers this one reaches too, whatever the audience says. */
    coverNoticeIds?: number[];
  },
): Promise<EnqueuedNotice> {
  const channels = [...new Set(input.channels)].sort() as Channel[];
  if (channels.length === 0)
    throw new Refusal("invalid", "a notice needs at least one channel: email or dashboard");
  const audience = input.audience && Object.keys(input.audience).length > 0 ? input.audience : null;
  const reminders = input.reminders ?? null;
  if (reminders) {
    const problem = reminderSettingsProblem(reminders, { channels, requireAck: input.requireAck ?? false });
    if (problem) throw new Refusal("invalid", problem);
  }
  const notice = (await first(
    tx
      .insert(notices)
      .values({
        documentId: input.documentId,
        versionId: input.versionId,
        previousNumber: input.previousNumber,
        channels,
        audience,
        requiresAck: input.requireAck ?? false,
        createdBy: actorLabel(input.actor),
        reminderAfterDays: reminders?.afterDays ?? null,
        reminderMax: reminders?.times ?? null,
      })
      .returning(),
  ))!;
  const covered = input.coverNoticeIds ?? [];
  const target =
    covered.length === 0
      ? audienceCondition(tx, audience)
      : sql`(${audienceCondition(tx, audience)} OR id IN (SELECT subscriber_id FROM deliveries WHERE notice_id IN (${sql.join(
          covered.map((id) => sql`${id}`),
          sql`, `,
        )})))`;
  let emailDeliveries = 0;
  let dashboardDeliveries = 0;
  if (channels.includes("email")) {
    // The batch size is spliced in, not bound: better-sqlite3 binds numbers as REAL, and the
    // division must be an integer one.
    emailDeliveries = await execute(
      tx,
      sql`
      INSERT INTO deliveries (notice_id, subscriber_id, channel, batch_number, status)
      SELECT ${notice.id}, id, 'email', (row_number() OVER (ORDER BY id) - 1) / ${sql.raw(String(BATCH_SIZE))} + 1, 'pending'
      FROM subscribers WHERE status = 'active' AND ${target}
      ORDER BY id`,
    );
    await execute(
      tx,
      sql`
      WITH RECURSIVE n(x) AS (SELECT 1 WHERE ${batchCount(emailDeliveries)} > 0
        UNION ALL SELECT x + 1 FROM n WHERE x < ${batchCount(emailDeliveries)})
      INSERT INTO delivery_batches (notice_id, number) SELECT ${notice.id}, x FROM n`,
    );
  }
  if (channels.includes("dashboard")) {
    // Bounced and complaining subscribers still see the notice in the product: the fallback when email fails.
    dashboardDeliveries = await execute(
      tx,
      sql`
      INSERT INTO deliveries (notice_id, subscriber_id, channel, batch_number, status)
      SELECT ${notice.id}, id, 'dashboard', NULL, 'pending'
      FROM subscribers WHERE status <> 'erased' AND ${target}
      ORDER BY id`,
    );
  }
  const batches = batchCount(emailDeliveries);
  const stored = (await first(
    tx.update(notices).set({ batchCount: batches }).where(eq(notices.id, notice.id)).returning(),
  ))!;
  await recordAudit(tx, {
    actor: input.actor,
    action: "notice.created",
    documentId: input.documentId,
    versionId: input.versionId,
    details: {
      noticeId: notice.id,
      channels,
      audience,
      requiresAck: stored.requiresAck,
      ...(reminders ? { reminders } : {}),
      ...(covered.length > 0 ? { coversNotices: covered } : {}),
      emailDeliveries,
      dashboardDeliveries,
      batches,
    },
  });
  return { notice: stored, emailDeliveries, dashboardDeliveries, batches };
}

type StatusCounts = Record<DeliveryStatus, number>;

const emptyCounts = (): StatusCounts =>
  Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as StatusCounts;

export type NoticeSummary = {
  id: number;
  slug: string;
  locale: string;
  version: number;
  channels: Channel[];
  audience: Audience | null;
  requiresAck: boolean;
  /** 'public': update emails to public subscribers (ADR 0029), not a notice to the product's users. */
  audienceKind: NoticeAudienceKind;
  createdAt: string;
  batches: { total: number; pending: number; sent: number; failed: number };
  counts: Partial<Record<Channel, StatusCounts>>;
  /**
   * Emails handed over (sent, then maybe delivered, bounced or complained), per transport that
   * carried them and status. "capture" was kept on the sending machine and reached nobody; null
   * was sent before transports were recorded.
   */
  emailTransports: { transport: string | null; status: DeliveryStatus; emails: number }[];
  /**
   * Reminders to those who have not acknowledged (issue 16, item 4): the settings, and each round
   * enqueued so far with its own email counts. Null when the notice asks for none.
   */
  reminders: {
    afterDays: number;
    times: number;
    rounds: { round: number; noticeId: number; createdAt: string; email: StatusCounts }[];
  } | null;
  /** For a reminder round: the notice it reminds of and its number. */
  reminderOf: { noticeId: number; round: number } | null;
};

/** Statuses of an email the provider accepted: only these have a transport. */
const HANDED_OVER: readonly DeliveryStatus[] = ["sent", "delivered", "bounced", "complained"];

type NoticeRow = { notice: Notice; slug: string; locale: string; version: number };

/**
 * Summaries of notices with their batch and delivery counts: two grouped scans for the whole list,
 * not two per notice.
 */
async function summarise(listed: NoticeRow[]): Promise<NoticeSummary[]> {
  if (listed.length === 0) return [];
  const ids = sql.join(
    listed.map((row) => sql`${row.notice.id}`),
    sql`, `,
  );
  const batches = await rows<{ noticeId: number; status: string; n: number }>(
    reader(),
    sql`
    SELECT notice_id AS "noticeId", status, CAST(count(*) AS integer) AS n FROM delivery_batches
    WHERE notice_id IN (${ids}) GROUP BY notice_id, status`,
  );
  const deliveries = await rows<{
    noticeId: number;
    channel: Channel;
    status: DeliveryStatus;
    transport: string | null;
    n: number;
  }>(
    reader(),
    sql`
    SELECT notice_id AS "noticeId", channel, status, transport, CAST(count(*) AS integer) AS n FROM deliveries
    WHERE notice_id IN (${ids}) GROUP BY notice_id, channel, status, transport
    UNION ALL
    SELECT notice_id, 'email', status, transport, CAST(count(*) AS integer) FROM public_deliveries
    WHERE notice_id IN (${ids}) GROUP BY notice_id, status, transport`,
  );

  const summaries = new Map<number, NoticeSummary>();
  for (const row of listed) {
    const counts: NoticeSummary["counts"] = {};
    for (const channel of row.notice.channels) counts[channel] = emptyCounts();
    summaries.set(row.notice.id, {
      id: row.notice.id,
      slug: row.slug,
      locale: row.locale,
      version: row.version,
      channels: row.notice.channels,
      audience: row.notice.audience ?? null,
      requiresAck: row.notice.requiresAck,
      audienceKind: row.notice.audienceKind,
      createdAt: row.notice.createdAt,
      batches: { total: row.notice.batchCount, pending: 0, sent: 0, failed: 0 },
      counts,
      emailTransports: [],
      reminders:
        row.notice.reminderAfterDays !== null && row.notice.reminderMax !== null
          ? { afterDays: row.notice.reminderAfterDays, times: row.notice.reminderMax, rounds: [] }
          : null,
      reminderOf:
        row.notice.reminderOf !== null && row.notice.reminderRound !== null
          ? { noticeId: row.notice.reminderOf, round: row.notice.reminderRound }
          : null,
    });
  }
  const rounds = await rows<{
    reminderOf: number;
    round: number;
    noticeId: number;
    createdAt: string;
    status: DeliveryStatus | null;
    n: number;
  }>(
    reader(),
    sql`
    SELECT r.reminder_of AS "reminderOf", r.reminder_round AS round, r.id AS "noticeId", r.created_at AS "createdAt",
           x.status, CAST(count(x.id) AS integer) AS n
    FROM notices r LEFT JOIN deliveries x ON x.notice_id = r.id
    WHERE r.reminder_of IN (${ids})
    GROUP BY r.reminder_of, r.reminder_round, r.id, r.created_at, x.status
    ORDER BY r.reminder_round`,
  );
  for (const row of rounds) {
    const reminders = summaries.get(row.reminderOf)?.reminders;
    if (!reminders) continue;
    let round = reminders.rounds.find((r) => r.round === row.round);
    if (!round) {
      round = { round: row.round, noticeId: row.noticeId, createdAt: row.createdAt, email: emptyCounts() };
      reminders.rounds.push(round);
    }
    if (row.status) round.email[row.status] += row.n;
  }
  for (const batch of batches) {
    const summary = summaries.get(batch.noticeId);
    if (summary && (batch.status === "pending" || batch.status === "sent" || batch.status === "failed"))
      summary.batches[batch.status] = batch.n;
  }
  for (const row of deliveries) {
    const summary = summaries.get(row.noticeId);
    if (!summary) continue;
    summary.counts[row.channel] ??= emptyCounts();
    summary.counts[row.channel]![row.status] += row.n;
    if (row.channel === "email" && HANDED_OVER.includes(row.status))
      summary.emailTransports.push({ transport: row.transport, status: row.status, emails: row.n });
  }
  return listed.map((row) => summaries.get(row.notice.id)!);
}

const noticeColumns = {
  notice: notices,
  slug: documents.slug,
  locale: documents.locale,
  version: versions.number,
};

/** Notices with the document and version they announce: the base of every notice listing. */
function selectNotices() {
  return reader()
    .select(noticeColumns)
    .from(notices)
    .innerJoin(versions, eq(versions.id, notices.versionId))
    .innerJoin(documents, eq(documents.id, notices.documentId));
}

/** The notices of one version with their delivery counts (`redline notify status`). */
export async function noticesForVersion({
  slug,
  locale = "en",
  number,
}: {
  slug: string;
  locale?: string;
  number: number;
}): Promise<NoticeSummary[] | null> {
  const version = await first(
    reader()
      .select({ id: versions.id })
      .from(versions)
      .innerJoin(documents, eq(documents.id, versions.documentId))
      .where(and(eq(documents.slug, slug), eq(documents.locale, locale), eq(versions.number, number))),
  );
  if (!version) return null;
  return await summarise(
    await selectNotices()
      .where(and(eq(notices.versionId, version.id), isNull(notices.reminderOf)))
      .orderBy(notices.id),
  );
}

async function getNoticeSummary(noticeId: number): Promise<NoticeSummary | null> {
  const row = await first(selectNotices().where(eq(notices.id, noticeId)));
  return row ? (await summarise([row]))[0] : null;
}

export async function listNotices({ limit = 50 }: { limit?: number } = {}): Promise<NoticeSummary[]> {
  // Reminder rounds are listed with the notice they remind of (its `reminders`), not on their own.
  return await summarise(
    await selectNotices().where(isNull(notices.reminderOf)).orderBy(desc(notices.id)).limit(limit),
  );
}

/**
 * Puts a notice's failed email batches back in the outbox. A batch that failed may have been
 * accepted by an attempt whose answer we never saw, but its automatic retries are exhausted: the
 * operator decides. Each batch gets a new generation (and idempotency key), and its membership is
 * decided again when it is next claimed, so subscribers erased or bounced meanwhile are skipped.
 */
export async function retryFailedDeliveries({
  noticeId,
  actor,
}: {
  noticeId: number;
  actor: Actor;
}): Promise<{ batches: number; deliveries: number }> {
  return transaction(async (tx) => {
    const notice = await first(
      tx
        .select({ id: notices.id, versionId: notices.versionId, documentId: notices.documentId })
        .from(notices)
        .where(eq(notices.id, noticeId)),
    );
    if (!notice) throw new Refusal("not-found", `no notice ${noticeId}`);
    const now = new Date().toISOString();
    const batches = await tx
      .update(deliveryBatches)
      .set({
        status: "pending",
        generation: sql`${deliveryBatches.generation} + 1`,
        attempts: 0,
        nextAttemptAt: now,
        leaseOwner: null,
        leasedUntil: null,
        frozenAt: null,
        updatedAt: now,
      })
      .where(and(eq(deliveryBatches.noticeId, noticeId), eq(deliveryBatches.status, "failed")))
      .returning({ number: deliveryBatches.number });
    let reset = 0;
    if (batches.length > 0) {
      reset = await execute(
        tx,
        sql`
          UPDATE deliveries SET status = 'pending', last_error = NULL, status_at = ${now}
          WHERE notice_id = ${noticeId} AND channel = 'email' AND status = 'failed'`,
      );
      // A public notice's emails (ADR 0029): the same retry, on their own outbox rows.
      reset += await execute(
        tx,
        sql`UPDATE public_deliveries SET status = 'pending', last_error = NULL, status_at = ${now}
          WHERE notice_id = ${noticeId} AND status = 'failed'`,
      );
    }
    await recordAudit(tx, {
      actor,
      action: "notice.retry-failed",
      documentId: notice.documentId,
      versionId: notice.versionId,
      details: { noticeId, batches: batches.length, deliveries: reset },
    });
    return { batches: batches.length, deliveries: reset };
  });
}

export type NoticeProgress = NoticeSummary & {
  email: {
    total: number;
    /** Resolved one way or another (not pending or sending). */
    done: number;
    percent: number;
    /** Emails per second the estimate assumes (see core/notify/send-estimate.ts). */
    ratePerSecond: number;
    /** At that rate, seconds until everything pending is sent; null when idle. */
    etaSeconds: number | null;
    /** Whether the rate was measured from emails sent in the last minute, or is the configured one. */
    basis: "measured" | "configured";
  } | null;
  /** The provider is pacing us (429): sending resumes then (the first waiting batch); nothing failed. */
  throttledUntil: string | null;
  /**
   * The dashboard channel as the banner knows it (issue 16, item 5): pending (not seen yet), shown
   * (seen, not acted on), acknowledged, dismissed ("Dismiss" on a notice that did not require
   * acknowledgement). Each person once; an acknowledgement of a later version settles this one.
   */
  dashboard: { pending: number; shown: number; acknowledged: number; dismissed: number } | null;
  /** The last reasons batches failed or are being retried, newest first; throttling is not one. */
  batchErrors: {
    number: number;
    status: string;
    attempts: number;
    lastError: string;
    nextAttemptAt: string;
  }[];
};

const PACE_WINDOW_MS = 60_000;

/** What the admin's notice page shows, refreshed while batches are pending. */
export async function getNoticeProgress(
  noticeId: number,
  now = Date.now(),
  /** The configured send rate (SEND_RATE_PER_SECOND), provider requests per second. */
  requestsPerSecond = 2,
): Promise<NoticeProgress | null> {
  const summary = await getNoticeSummary(noticeId);
  if (!summary) return null;
  const batches = await reader()
    .select({
      number: deliveryBatches.number,
      status: deliveryBatches.status,
      attempts: deliveryBatches.attempts,
      lastError: deliveryBatches.lastError,
      nextAttemptAt: deliveryBatches.nextAttemptAt,
    })
    .from(deliveryBatches)
    .where(and(eq(deliveryBatches.noticeId, noticeId), isNotNull(deliveryBatches.lastError)))
    .orderBy(desc(deliveryBatches.updatedAt))
    .limit(20);
  const nowIso = new Date(now).toISOString();
  const throttledUntil =
    batches
      .filter((b) => b.status === "pending" && isThrottling(b.lastError) && b.nextAttemptAt > nowIso)
      .map((b) => b.nextAttemptAt)
      .sort()
      .at(0) ?? null;
  const counts = summary.counts.email;
  let email: NoticeProgress["email"] = null;
  if (counts) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const open = counts.pending + counts.sending;
    const pace = await first(
      reader()
        .select({ sent: countAll(), firstSentAt: min(deliveries.sentAt) })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.noticeId, noticeId),
            eq(deliveries.channel, "email"),
            gte(deliveries.sentAt, new Date(now - PACE_WINDOW_MS).toISOString()),
          ),
        ),
    );
    const estimate = estimateSend({
      open,
      sentInWindow: Number(pace?.sent ?? 0),
      firstSentAtMs: pace?.firstSentAt ? Date.parse(pace.firstSentAt) : null,
      nowMs: now,
      requestsPerSecond,
      batchSize: BATCH_SIZE,
      throttledUntilMs: throttledUntil ? Date.parse(throttledUntil) : null,
    });
    email = {
      total,
      done: total - open,
      percent: total === 0 ? 100 : Math.floor(((total - open) / total) * 100),
      ...estimate,
    };
  }
  const batchErrors = batches
    .filter((b) => !isThrottling(b.lastError))
    .map((b) => ({ ...b, lastError: b.lastError ?? "" }));
  const dashboard = summary.counts.dashboard ? await dashboardOutcomes(noticeId) : null;
  return { ...summary, email, throttledUntil, dashboard, batchErrors };
}

/** Counts of the dashboard outcomes of one notice, in one statement (see NoticeProgress.dashboard). */
async function dashboardOutcomes(noticeId: number): Promise<NonNullable<NoticeProgress["dashboard"]>> {
  const found = await rows<{ outcome: "pending" | "shown" | "acknowledged" | "dismissed"; n: number }>(
    reader(),
    sql`
    WITH p AS (
      SELECT x.subscriber_id,
             (SELECT a.channel FROM acknowledgements a WHERE a.id = ${coveringAcknowledgementId(
               sql`x.subscriber_id`,
               {
                 document: sql`n.document_id`,
                 version: sql`v.number`,
               },
             )}) AS ack_channel,
             n.requires_ack,
             EXISTS (SELECT 1 FROM notice_views w WHERE w.notice_id = n.id AND w.subscriber_id = x.subscriber_id) AS shown
      FROM deliveries x JOIN notices n ON n.id = x.notice_id JOIN versions v ON v.id = n.version_id
      WHERE x.notice_id = ${noticeId} AND x.channel = 'dashboard')
    SELECT CASE
             WHEN ack_channel IS NULL AND shown THEN 'shown'
             WHEN ack_channel IS NULL THEN 'pending'
             WHEN ack_channel = 'dashboard' AND NOT requires_ack THEN 'dismissed'
             ELSE 'acknowledged' END AS outcome,
           CAST(count(*) AS integer) AS n
    FROM p GROUP BY 1`,
  );
  const counts = { pending: 0, shown: 0, acknowledged: 0, dismissed: 0 };
  for (const row of found) counts[row.outcome] += row.n;
  return counts;
}

/**
 * Dashboard notices and acknowledgements (ADR 0007): what a subscriber still has to see, recording
 * that they saw it, and who has and has not acknowledged a notice.
 */
import { type SQL, sql } from "drizzle-orm";
import { jsonValue, row, rows } from "../../db/dialect";
import type { AcknowledgementChannel, Channel, DeliveryStatus, SubscriberStatus } from "../../db/tables";
import { isEmailProblem } from "../core/notify/statuses";
import { policyPath } from "../core/public/urls";
import { Refusal } from "../core/refusal";
import { getEnv } from "../env.server";
import { acknowledgementsRecorded } from "../metrics.server";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import {
  acknowledgementCovers,
  coveringAcknowledgementId,
  hasAcknowledged,
  isEmailProblemStatus,
} from "./notice-rules.server";

/**
 * The refusal for an erased subscriber, worded once for every notices route: a conflict with
 * the state they are in (erasure is final), not a thing that was never there.
 */
export function erasedRefusal(externalId: string): Refusal {
  return new Refusal(
    "conflict",
    `subscriber "${externalId}" was erased: no notices are shown to or acknowledged for them`,
  );
}

/** The notice's document and version, as the queries below name them (notices n, versions v). */
const NOTICE_VERSION = { document: sql`n.document_id`, version: sql`v.number` };

/** One pending notice as the API and the banner show it. */
export type PendingNotice = {
  id: number;
  document: string;
  locale: string;
  title: string;
  version: number;
  summary: string;
  effectiveAt: string;
  lastUpdated: string;
  material: boolean;
  requiresAck: boolean;
  /** Earlier versions of the same document that are also unacknowledged; the redline covers them. */
  alsoCovers: number[];
  /** Shown because the email about it did not reach the person (the notice may be email-only). */
  emailUndelivered: boolean;
  links: { policy: string; redline: string | null };
};

type PendingRow = {
  noticeId: number;
  documentId: number;
  slug: string;
  locale: string;
  title: string;
  version: number;
  summary: string | null;
  effectiveAt: string;
  lastUpdated: string;
  material: number;
  requiresAck: number;
  previousNumber: number | null;
  emailStatus: DeliveryStatus | null;
  lastAcknowledged: number | null;
};

/**
 * A subscriber's pending notices: every notice with a pending dashboard delivery for them, and —
 * as the fallback — every notice whose email to them bounced, was complained about, failed or was
 * skipped, as long as they have not acknowledged that version or a later one of the document.
 * Several pending versions of one document are shown as one notice, the latest, whose redline
 * starts at the version they last acknowledged (else the one before the oldest pending notice).
 * Null when there is no such subscriber.
 */
export async function pendingNoticesFor(externalId: string): Promise<PendingNotice[] | null> {
  const subscriber = await row<{ id: number } | undefined>(
    reader(),
    sql`SELECT id FROM subscribers WHERE external_id = ${externalId}`,
  );
  if (!subscriber) return null;
  const found = await rows<PendingRow>(
    reader(),
    sql`
    SELECT n.id AS "noticeId", d.id AS "documentId", d.slug, d.locale, d.title, v.number AS version,
           v.summary, v.effective_at AS "effectiveAt", v.last_updated AS "lastUpdated", v.material,
           n.requires_ack AS "requiresAck", n.previous_number AS "previousNumber",
           (SELECT e.status FROM deliveries e WHERE e.subscriber_id = x.subscriber_id AND e.notice_id = n.id
              AND e.channel = 'email') AS "emailStatus",
           (SELECT max(a.version_number) FROM acknowledgements a
              WHERE a.subscriber_id = x.subscriber_id AND a.document_id = n.document_id) AS "lastAcknowledged"
    FROM deliveries x
    JOIN notices n ON n.id = x.notice_id
    JOIN versions v ON v.id = n.version_id
    JOIN documents d ON d.id = n.document_id
    WHERE x.subscriber_id = ${subscriber.id}
      -- A reminder round repeats its notice by email; the notice itself is what is pending.
      AND n.reminder_of IS NULL
      AND (
        (x.channel = 'dashboard' AND x.status = 'pending')
        OR (x.channel = 'email' AND ${isEmailProblemStatus(sql`x.status`)}
            AND NOT EXISTS (SELECT 1 FROM deliveries y WHERE y.subscriber_id = x.subscriber_id
              AND y.notice_id = x.notice_id AND y.channel = 'dashboard'))
      )
      AND NOT ${hasAcknowledged(sql`x.subscriber_id`, NOTICE_VERSION)}
    ORDER BY d.id, v.number, n.id`,
  );
  const byDocument = new Map<number, PendingRow[]>();
  for (const row of found) byDocument.set(row.documentId, [...(byDocument.get(row.documentId) ?? []), row]);
  const base = getEnv().PUBLIC_BASE_URL;
  const pending: PendingNotice[] = [];
  for (const group of byDocument.values()) {
    const latest = group[group.length - 1];
    const from = latest.lastAcknowledged ?? group[0].previousNumber;
    pending.push({
      id: latest.noticeId,
      document: latest.slug,
      locale: latest.locale,
      title: latest.title,
      version: latest.version,
      summary: latest.summary ?? "",
      effectiveAt: latest.effectiveAt,
      lastUpdated: latest.lastUpdated,
      material: Boolean(latest.material),
      requiresAck: group.some((r) => Boolean(r.requiresAck)),
      alsoCovers: [...new Set(group.map((r) => r.version))].filter((n) => n !== latest.version),
      emailUndelivered: group.some((r) => r.emailStatus !== null && isEmailProblem(r.emailStatus)),
      links: {
        policy: `${base}${policyPath(latest.slug, latest.locale, `/versions/${latest.version}`)}`,
        redline:
          from !== null && from < latest.version
            ? `${base}${policyPath(latest.slug, latest.locale, "/compare", { from, to: latest.version })}`
            : null,
      },
    });
  }
  return pending.sort((a, b) => a.id - b.id);
}

export type RecordedAcknowledgement = {
  noticeId: number;
  document: string;
  locale: string;
  version: number;
  channel: AcknowledgementChannel;
  acknowledgedAt: string;
  /** False when this version had already been acknowledged: the first record stands. */
  created: boolean;
};

/**
 * Records that the subscriber acknowledged the notice's version: once per subscriber and version
 * (a repeat returns the first record and changes nothing). Their pending dashboard deliveries for
 * that version and earlier versions of the document move to `delivered`. The acknowledgement and
 * the deliveries it closes are written to the audit log in the same transaction. A notice that
 * does not exist or was not addressed to this subscriber is "not found", the same answer either
 * way, so nothing about other subscribers can be learnt from it.
 */
export async function acknowledgeNotice({
  externalId,
  noticeId,
  channel,
  actor = { kind: "system" },
  via,
  now = new Date(),
}: {
  externalId: string;
  noticeId: number;
  channel: AcknowledgementChannel;
  actor?: Actor;
  /** Who asked, for the audit log ("api-key:backend", "user-token"). */
  via?: string;
  now?: Date;
}): Promise<RecordedAcknowledgement> {
  const notFound = () => new Refusal("not-found", `no notice ${noticeId} for subscriber "${externalId}"`);
  if (!Number.isSafeInteger(noticeId) || noticeId < 1) throw notFound();
  const recorded = await transaction(async (tx) => {
    const target = await row<
      | {
          subscriberId: number;
          versionId: number;
          documentId: number;
          version: number;
          slug: string;
          locale: string;
        }
      | undefined
    >(
      tx,
      sql`
        SELECT s.id AS "subscriberId", n.version_id AS "versionId", n.document_id AS "documentId",
               v.number AS version, d.slug, d.locale
        FROM subscribers s
        JOIN notices n ON n.id = ${noticeId}
        JOIN versions v ON v.id = n.version_id
        JOIN documents d ON d.id = n.document_id
        WHERE s.external_id = ${externalId}
          AND EXISTS (SELECT 1 FROM deliveries x WHERE x.subscriber_id = s.id AND x.notice_id = n.id)`,
    );
    if (!target) throw notFound();
    const status = await row<{ status: SubscriberStatus }>(
      tx,
      sql`SELECT status FROM subscribers WHERE id = ${target.subscriberId}`,
    );
    // Erasure is final: no new proof is made for a person whose data is gone.
    if (status?.status === "erased") throw erasedRefusal(externalId);
    const existing = await row<{
      channel: AcknowledgementChannel;
      acknowledgedAt: string;
      noticeId: number | null;
    }>(
      tx,
      sql`SELECT channel, acknowledged_at AS "acknowledgedAt", notice_id AS "noticeId" FROM acknowledgements
            WHERE subscriber_id = ${target.subscriberId} AND version_id = ${target.versionId}`,
    );
    const facts = { document: target.slug, locale: target.locale, version: target.version };
    if (existing) {
      return {
        noticeId: existing.noticeId ?? noticeId,
        ...facts,
        channel: existing.channel,
        acknowledgedAt: existing.acknowledgedAt,
        created: false,
      };
    }
    const at = now.toISOString();
    const ack = (await row<{ id: number }>(
      tx,
      sql`
        INSERT INTO acknowledgements (subscriber_id, version_id, document_id, version_number, notice_id, channel, acknowledged_at)
        VALUES (${target.subscriberId}, ${target.versionId}, ${target.documentId}, ${target.version}, ${noticeId}, ${channel}, ${at})
        RETURNING id`,
    ))!;
    const closed = await rows<{ id: number; noticeId: number }>(
      tx,
      sql`
        UPDATE deliveries SET status = 'delivered', status_at = ${at}
        WHERE subscriber_id = ${target.subscriberId} AND channel = 'dashboard' AND status = 'pending'
          AND notice_id IN (SELECT n.id FROM notices n JOIN versions v ON v.id = n.version_id
            WHERE ${acknowledgementCovers({ document: target.documentId, version: target.version }, NOTICE_VERSION)})
        RETURNING id, notice_id AS "noticeId"`,
    );
    await recordAudit(tx, {
      actor,
      action: "notice.acknowledged",
      documentId: target.documentId,
      versionId: target.versionId,
      details: {
        acknowledgementId: ack.id,
        noticeId,
        subscriberId: target.subscriberId,
        externalId,
        version: target.version,
        channel,
        acknowledgedAt: at,
        closedDashboardDeliveries: closed.map((d) => d.id).sort((a, b) => a - b),
        ...(via ? { via } : {}),
      },
    });
    return { noticeId, ...facts, channel, acknowledgedAt: at, created: true };
  });
  // Counted once committed; a repeat changes nothing and is not counted.
  if (recorded.created) acknowledgementsRecorded.labels(channel).inc();
  return recorded;
}

/* ---------------------------------------------------------------- the admin's report */

export type AcknowledgementOverview = {
  noticeId: number;
  slug: string;
  locale: string;
  version: number;
  material: boolean;
  requiresAck: boolean;
  channels: Channel[];
  createdAt: string;
  targeted: number;
  acknowledged: number;
  emailUndelivered: number;
};

type OverviewRow = Omit<AcknowledgementOverview, "material" | "requiresAck" | "channels"> & {
  material: number;
  requiresAck: number;
  channels: string;
};

/**
 * Notices with their counts in one statement: the people each reached, how many of them
 * acknowledged that version or a later one, and how many of them an email did not reach.
 */
async function overviews(where: SQL, limit: number): Promise<AcknowledgementOverview[]> {
  const found = await rows<OverviewRow>(
    reader(),
    sql`
    WITH h AS (
      SELECT n.id AS "noticeId", d.slug, d.locale, v.number AS version, d.id AS "documentId",
             v.material, n.requires_ack AS "requiresAck", n.channels, n.created_at AS "createdAt"
      FROM notices n JOIN versions v ON v.id = n.version_id JOIN documents d ON d.id = n.document_id
      ${where} ORDER BY n.id DESC LIMIT ${limit}),
    t AS (SELECT DISTINCT notice_id, subscriber_id FROM deliveries WHERE notice_id IN (SELECT "noticeId" FROM h))
    SELECT h.*, CAST(count(t.subscriber_id) AS integer) AS targeted,
      CAST(count(*) FILTER (WHERE t.subscriber_id IS NOT NULL
        AND ${hasAcknowledged(sql`t.subscriber_id`, { document: sql`h."documentId"`, version: sql`h.version` })}) AS integer) AS acknowledged,
      CAST(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM deliveries e WHERE e.subscriber_id = t.subscriber_id
        AND e.notice_id = h."noticeId" AND e.channel = 'email' AND ${isEmailProblemStatus(sql`e.status`)})) AS integer) AS "emailUndelivered"
    FROM h LEFT JOIN t ON t.notice_id = h."noticeId"
    GROUP BY h."noticeId", h.slug, h.locale, h.version, h."documentId", h.material, h."requiresAck", h.channels, h."createdAt"
    ORDER BY h."noticeId" DESC`,
  );
  return found.map((row) => ({
    noticeId: row.noticeId,
    slug: row.slug,
    locale: row.locale,
    version: row.version,
    material: Boolean(row.material),
    requiresAck: Boolean(row.requiresAck),
    channels: jsonValue<Channel[]>(row.channels),
    createdAt: row.createdAt,
    targeted: row.targeted,
    acknowledged: row.acknowledged,
    emailUndelivered: row.emailUndelivered,
  }));
}

/** Every notice, newest first, with how many of its people have acknowledged it. */
export async function acknowledgementOverview({ limit = 50 } = {}): Promise<AcknowledgementOverview[]> {
  // Reminder rounds are reported with the notice they remind of, not as notices of their own;
  // public subscribers' update emails have nobody to acknowledge them (ADR 0029).
  return await overviews(sql`WHERE n.reminder_of IS NULL AND n.audience_kind = 'subscribers'`, limit);
}

export async function noticeAcknowledgementOverview(
  noticeId: number,
): Promise<AcknowledgementOverview | null> {
  return (await overviews(sql`WHERE n.id = ${noticeId} AND n.audience_kind = 'subscribers'`, 1))[0] ?? null;
}

const ACK_FILTERS = ["all", "acknowledged", "pending"] as const;
export type AckFilter = (typeof ACK_FILTERS)[number];

/** The report's filter from what was asked (`?filter=`); anything unknown shows everyone. */
export function ackFilterOf(value: string | null): AckFilter {
  return (ACK_FILTERS as readonly string[]).includes(value ?? "") ? (value as AckFilter) : "all";
}

export type AcknowledgementRow = {
  subscriberId: number;
  externalId: string;
  subscriberStatus: SubscriberStatus;
  emailStatus: DeliveryStatus | null;
  /** What carried the email ("capture": delivered to nobody). */
  emailTransport: string | null;
  providerMessageId: string | null;
  emailSentAt: string | null;
  dashboardStatus: DeliveryStatus | null;
  acknowledgedVersion: number | null;
  acknowledgedAt: string | null;
  acknowledgedVia: AcknowledgementChannel | null;
  /** When the dashboard banner first showed the notice to them (shown is not acknowledged). */
  shownAt: string | null;
  /** Whether the notice asked for acknowledgement (1) — without it, the banner's button dismisses. */
  requiresAck: number;
  /** Reminder emails of this notice handed over to them (issue 16, item 4), and when the last one was. */
  remindersSent: number;
  lastReminderAt: string | null;
};

/**
 * The people a notice reached, with their acknowledgement (of this version, or failing that the
 * earliest later one), in subscriber order from `after` (keyset paging: the CSV export walks the
 * whole list in chunks without holding the connection).
 */
export async function acknowledgementRows({
  noticeId,
  filter = "all",
  after = 0,
  limit = 100,
}: {
  noticeId: number;
  filter?: AckFilter;
  after?: number;
  limit?: number;
}): Promise<AcknowledgementRow[]> {
  const acknowledged = hasAcknowledged(sql`s.id`, NOTICE_VERSION);
  const condition =
    filter === "acknowledged"
      ? sql`AND ${acknowledged}`
      : filter === "pending"
        ? sql`AND NOT ${acknowledged}`
        : sql``;
  return await rows<AcknowledgementRow>(
    reader(),
    sql`
    WITH t AS (SELECT DISTINCT subscriber_id FROM deliveries WHERE notice_id = ${noticeId} AND subscriber_id > ${after})
    SELECT s.id AS "subscriberId", s.external_id AS "externalId", s.status AS "subscriberStatus",
           e.status AS "emailStatus", e.transport AS "emailTransport", e.provider_message_id AS "providerMessageId", e.sent_at AS "emailSentAt",
           b.status AS "dashboardStatus",
           a.version_number AS "acknowledgedVersion", a.acknowledged_at AS "acknowledgedAt", a.channel AS "acknowledgedVia",
           (SELECT w.first_shown_at FROM notice_views w WHERE w.notice_id = n.id AND w.subscriber_id = s.id) AS "shownAt",
           n.requires_ack AS "requiresAck",
           CAST((SELECT count(*) FROM deliveries r JOIN notices rn ON rn.id = r.notice_id
             WHERE rn.reminder_of = n.id AND r.subscriber_id = s.id AND r.channel = 'email'
               AND r.status IN ('sent', 'delivered', 'bounced', 'complained')) AS integer) AS "remindersSent",
           (SELECT max(r.sent_at) FROM deliveries r JOIN notices rn ON rn.id = r.notice_id
             WHERE rn.reminder_of = n.id AND r.subscriber_id = s.id AND r.channel = 'email') AS "lastReminderAt"
    FROM t
    JOIN subscribers s ON s.id = t.subscriber_id
    JOIN notices n ON n.id = ${noticeId}
    JOIN versions v ON v.id = n.version_id
    LEFT JOIN deliveries e ON e.subscriber_id = s.id AND e.notice_id = n.id AND e.channel = 'email'
    LEFT JOIN deliveries b ON b.subscriber_id = s.id AND b.notice_id = n.id AND b.channel = 'dashboard'
    LEFT JOIN acknowledgements a ON a.id = ${coveringAcknowledgementId(sql`s.id`, NOTICE_VERSION)}
    WHERE 1 = 1 ${condition}
    ORDER BY s.id
    LIMIT ${sql.raw(String(Math.max(1, Math.min(10_000, Math.floor(limit)))))}`,
  );
}

/**
 * Every row of the report, a chunk at a time (keyset paging): each chunk is read when it is asked
 * for, so a long export never holds the connection between chunks.
 */
export async function* acknowledgementRowChunks({
  noticeId,
  filter,
  size = 1000,
}: {
  noticeId: number;
  filter: AckFilter;
  size?: number;
}): AsyncGenerator<AcknowledgementRow[]> {
  let after = 0;
  for (;;) {
    const rows = await acknowledgementRows({ noticeId, filter, after, limit: size });
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].subscriberId;
  }
}

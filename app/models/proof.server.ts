/**
 * The proof-of-notice ledger (ADR 0007): for one subscriber, every notice addressed to them with
 * each channel's delivery facts and the acknowledgement. It reads only pseudonymous columns, so
 * it is complete after the person's data was erased and after delivery logs were pseudonymised.
 */
import { sql } from "drizzle-orm";
import { jsonValue, row, rows } from "../../db/dialect";
import type { AcknowledgementChannel, Channel, DeliveryStatus, SubscriberStatus } from "../../db/tables";
import { deliveryStatusText, isCaptured, transportText } from "../core/notify/delivery-outcome";
import { reader } from "./db.server";
import { coveringAcknowledgementId, isEmailProblemStatus } from "./notice-rules.server";

type ProofDelivery = {
  channel: Channel;
  status: DeliveryStatus;
  /**
   * Email only, once handed over: "resend", "resend-compatible <origin>" or "capture" (kept on the
   * sending machine, delivered to nobody). Null for the dashboard, for email not (yet) sent, and
   * for email sent before transports were recorded.
   */
  transport: string | null;
  providerMessageId: string | null;
  batch: number | null;
  sentAt: string | null;
  statusAt: string | null;
};

type ProofEntry = {
  noticeId: number;
  document: string;
  locale: string;
  version: number;
  material: boolean;
  requiresAck: boolean;
  summary: string | null;
  effectiveAt: string | null;
  noticeCreatedAt: string;
  channels: Channel[];
  deliveries: ProofDelivery[];
  /** When the dashboard banner first showed it (shown is not acknowledged); null if never. */
  firstShownAt: string | null;
  /** This version's acknowledgement, or the earliest acknowledgement of a later version. */
  acknowledgement: {
    version: number;
    channel: AcknowledgementChannel;
    acknowledgedAt: string;
  } | null;
};

export type ProofLedger = {
  externalId: string;
  status: SubscriberStatus;
  createdAt: string;
  erasedAt: string | null;
  notices: ProofEntry[];
};

type Row = {
  noticeId: number;
  document: string;
  locale: string;
  version: number;
  material: number;
  requiresAck: number;
  summary: string | null;
  effectiveAt: string | null;
  noticeCreatedAt: string;
  channels: string;
  channel: Channel;
  status: DeliveryStatus;
  transport: string | null;
  providerMessageId: string | null;
  batch: number | null;
  sentAt: string | null;
  statusAt: string | null;
  ackVersion: number | null;
  ackChannel: AcknowledgementChannel | null;
  ackAt: string | null;
  firstShownAt: string | null;
};

/** The ledger of one subscriber, oldest notice first; null when there is no such externalId. */
export async function getProofLedger(externalId: string): Promise<ProofLedger | null> {
  const subscriber = await row<
    { id: number; status: SubscriberStatus; createdAt: string; erasedAt: string | null } | undefined
  >(
    reader(),
    sql`SELECT id, status, created_at AS "createdAt", erased_at AS "erasedAt" FROM subscribers
        WHERE external_id = ${externalId}`,
  );
  if (!subscriber) return null;
  const found = await rows<Row>(
    reader(),
    sql`
    SELECT n.id AS "noticeId", d.slug AS document, d.locale, v.number AS version, v.material,
           n.requires_ack AS "requiresAck", v.summary, v.effective_at AS "effectiveAt",
           n.created_at AS "noticeCreatedAt", n.channels,
           x.channel, x.status, x.transport, x.provider_message_id AS "providerMessageId", x.batch_number AS batch,
           x.sent_at AS "sentAt", x.status_at AS "statusAt",
           a.version_number AS "ackVersion", a.channel AS "ackChannel", a.acknowledged_at AS "ackAt",
           (SELECT w.first_shown_at FROM notice_views w
             WHERE w.notice_id = n.id AND w.subscriber_id = x.subscriber_id) AS "firstShownAt"
    FROM deliveries x
    JOIN notices n ON n.id = x.notice_id
    JOIN versions v ON v.id = n.version_id
    JOIN documents d ON d.id = n.document_id
    LEFT JOIN acknowledgements a ON a.id = ${coveringAcknowledgementId(sql`x.subscriber_id`, {
      document: sql`n.document_id`,
      version: sql`v.number`,
    })}
    WHERE x.subscriber_id = ${subscriber.id}
    ORDER BY n.id, x.channel`,
  );
  const entries = new Map<number, ProofEntry>();
  for (const row of found) {
    let entry = entries.get(row.noticeId);
    if (!entry) {
      entry = {
        noticeId: row.noticeId,
        document: row.document,
        locale: row.locale,
        version: row.version,
        material: Boolean(row.material),
        requiresAck: Boolean(row.requiresAck),
        summary: row.summary,
        effectiveAt: row.effectiveAt,
        noticeCreatedAt: row.noticeCreatedAt,
        channels: jsonValue<Channel[]>(row.channels),
        deliveries: [],
        firstShownAt: row.firstShownAt,
        acknowledgement:
          row.ackAt && row.ackVersion !== null && row.ackChannel
            ? { version: row.ackVersion, channel: row.ackChannel, acknowledgedAt: row.ackAt }
            : null,
      };
      entries.set(row.noticeId, entry);
    }
    entry.deliveries.push({
      channel: row.channel,
      status: row.status,
      transport: row.transport,
      providerMessageId: row.providerMessageId,
      batch: row.batch,
      sentAt: row.sentAt,
      statusAt: row.statusAt,
    });
  }
  return {
    externalId,
    status: subscriber.status,
    createdAt: subscriber.createdAt,
    erasedAt: subscriber.erasedAt,
    notices: [...entries.values()],
  };
}

/** The ledger as lines of text for the command line. */
export function formatProofLedger(ledger: ProofLedger): string[] {
  const lines = [
    `subscriber ${ledger.externalId} (${ledger.status}${ledger.erasedAt ? `, erased ${ledger.erasedAt}` : ""})`,
  ];
  if (ledger.notices.length === 0) lines.push("  no notices");
  for (const entry of ledger.notices) {
    lines.push(
      `notice ${entry.noticeId}: ${entry.document} (${entry.locale}) version ${entry.version}${entry.material ? ", material" : ""}${entry.requiresAck ? ", acknowledgement required" : ""} — created ${entry.noticeCreatedAt}`,
    );
    for (const d of entry.deliveries) {
      const captured = isCaptured(d.transport);
      const parts = [`  ${d.channel.padEnd(9)} ${deliveryStatusText(d.status, d.transport)}`];
      if (d.channel === "email" && (d.transport || d.sentAt))
        parts.push(`transport ${transportText(d.transport, d.sentAt !== null)}`);
      if (d.providerMessageId) parts.push(`provider id ${d.providerMessageId}`);
      if (d.sentAt) parts.push(`${captured ? "captured" : "sent"} ${d.sentAt}`);
      if (d.statusAt && d.statusAt !== d.sentAt) parts.push(`${d.status} ${d.statusAt}`);
      lines.push(parts.join(" · "));
    }
    const ack = entry.acknowledgement;
    lines.push(
      entry.firstShownAt
        ? `  shown ${entry.firstShownAt} in the dashboard`
        : "  never shown in the dashboard",
    );
    lines.push(
      ack
        ? `  acknowledged ${ack.acknowledgedAt} via ${ack.channel}${ack.version !== entry.version ? ` (version ${ack.version})` : ""}`
        : "  not acknowledged",
    );
  }
  return lines;
}

export type SubscriberListItem = {
  externalId: string;
  email: string | null;
  status: SubscriberStatus;
  statusReason: string | null;
  updatedAt: string;
  /** Emails to them that bounced, were complained about, failed or were skipped. */
  undeliveredEmails: number;
};

/**
 * The admin's subscriber list: by externalId prefix or exact email, optionally one status, in
 * externalId order from `after` (keyset paging over the unique index).
 */
export async function searchSubscribers({
  query = "",
  status,
  after = "",
  limit = 50,
}: {
  query?: string;
  status?: SubscriberStatus;
  after?: string;
  limit?: number;
}): Promise<SubscriberListItem[]> {
  const q = query.trim();
  const match = q.includes("@")
    ? sql`lower(s.email) = ${q.toLowerCase()}`
    : q
      ? sql`s.external_id >= ${q} AND s.external_id < ${`${q}\u{10FFFF}`}`
      : // TRUE, not 1: PostgreSQL takes only a boolean beside AND (SQLite reads TRUE as 1).
        sql`TRUE`;
  return await rows<SubscriberListItem>(
    reader(),
    sql`
    SELECT s.external_id AS "externalId", s.email, s.status, s.status_reason AS "statusReason",
           s.updated_at AS "updatedAt",
           (SELECT CAST(count(*) AS integer) FROM deliveries x WHERE x.subscriber_id = s.id AND x.channel = 'email'
              AND ${isEmailProblemStatus(sql`x.status`)}) AS "undeliveredEmails"
    FROM subscribers s
    WHERE ${match} ${status ? sql`AND s.status = ${status}` : sql``} AND s.external_id > ${after}
    ORDER BY s.external_id
    LIMIT ${sql.raw(String(Math.max(1, Math.min(500, Math.floor(limit)))))}`,
  );
}

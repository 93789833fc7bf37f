/**
 * `redline audit verify` also checks the proof tables against the entries that record them
 * (ADR 0011): a published version, notice, delivery outcome or acknowledgement without its entry,
 * or whose facts differ from it, is named by id — and so is an entry whose row is gone.
 *
 * The entries are replayed in order into temporary tables (what each row should say now), then
 * compared with the real rows in SQL, so a log of millions of deliveries is checked in flat memory.
 */
import type Database from "better-sqlite3";
import type { AuditProblem, AuditProblemKind, StoredAuditEntry } from "../core/audit";
import { stableStringify } from "../core/stable-json";

/** At most this many rows are named per kind of mismatch; the rest are counted. */
const SHOWN = 20;

const TABLES = `
  CREATE TEMP TABLE audit_check_versions (id INTEGER PRIMARY KEY, entry INTEGER, hash TEXT, number INTEGER,
    content_hash TEXT, last_updated TEXT, effective_at TEXT, published_at TEXT, material INTEGER, summary TEXT,
    publisher TEXT);
  CREATE TEMP TABLE audit_check_notices (id INTEGER PRIMARY KEY, entry INTEGER, document_id INTEGER,
    version_id INTEGER, channels TEXT, audience TEXT, requires_ack INTEGER, batch_count INTEGER,
    email INTEGER, dashboard INTEGER, created_by TEXT);
  CREATE TEMP TABLE audit_check_acks (id INTEGER PRIMARY KEY, entry INTEGER, subscriber_id INTEGER,
    version_id INTEGER, document_id INTEGER, version_number INTEGER, notice_id INTEGER, channel TEXT,
    acknowledged_at TEXT);
  CREATE TEMP TABLE audit_check_deliveries (id INTEGER PRIMARY KEY, entry INTEGER, notice_id INTEGER,
    subscriber_id INTEGER, status TEXT, provider_message_id TEXT, sent_at TEXT, status_at TEXT);
  CREATE TEMP TABLE audit_check_duplicates (kind TEXT, id INTEGER, entry INTEGER);`;

const DROP = `
  DROP TABLE IF EXISTS temp.audit_check_versions; DROP TABLE IF EXISTS temp.audit_check_notices;
  DROP TABLE IF EXISTS temp.audit_check_acks; DROP TABLE IF EXISTS temp.audit_check_deliveries;
  DROP TABLE IF EXISTS temp.audit_check_duplicates;`;

type Row = Record<string, unknown>;

const int = (value: unknown) => (typeof value === "number" ? value : null);
const text = (value: unknown) => (typeof value === "string" ? value : null);
const bool = (value: unknown) => (typeof value === "boolean" ? Number(value) : null);

export class ProofReplay {
  private readonly statements;
  private readonly problems: AuditProblem[] = [];

  constructor(private readonly client: Database.Database) {
    client.exec(DROP);
    client.exec(TABLES);
    const duplicate = client.prepare("INSERT INTO audit_check_duplicates (kind, id, entry) VALUES (?, ?, ?)");
    const insert = (table: string, columns: string[]) => {
      const statement = client.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
      );
      return (kind: string, values: unknown[]) => {
        if (statement.run(...values).changes === 0) duplicate.run(kind, values[0], values[1]);
      };
    };
    this.statements = {
      version: insert("audit_check_versions", [
        "id",
        "entry",
        "hash",
        "number",
        "content_hash",
        "last_updated",
        "effective_at",
        "published_at",
        "material",
        "summary",
        "publisher",
      ]),
      notice: insert("audit_check_notices", [
        "id",
        "entry",
        "document_id",
        "version_id",
        "channels",
        "audience",
        "requires_ack",
        "batch_count",
        "email",
        "dashboard",
        "created_by",
      ]),
      ack: insert("audit_check_acks", [
        "id",
        "entry",
        "subscriber_id",
        "version_id",
        "document_id",
        "version_number",
        "notice_id",
        "channel",
        "acknowledged_at",
      ]),
      // The latest entry about a delivery says what it should be now; the provider id and send time
      // are written once, by `delivery.sent`, and kept by later outcomes.
      delivery: client.prepare(`
        INSERT INTO audit_check_deliveries (id, entry, notice_id, subscriber_id, status, provider_message_id, sent_at, status_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET entry = excluded.entry,
          notice_id = coalesce(excluded.notice_id, notice_id), subscriber_id = excluded.subscriber_id,
          status = excluded.status, provider_message_id = coalesce(excluded.provider_message_id, provider_message_id),
          sent_at = coalesce(excluded.sent_at, sent_at), status_at = excluded.status_at`),
      retry: client.prepare(`
        UPDATE audit_check_deliveries SET status = 'pending', status_at = NULL, entry = ?
        WHERE notice_id = ? AND status = 'failed'`),
    };
  }

  push(entry: StoredAuditEntry): void {
    const d = entry.details;
    const s = this.statements;
    const delivery = (
      id: unknown,
      subscriber: unknown,
      status: string,
      at: unknown,
      messageId: unknown = null,
    ) =>
      s.delivery.run(
        int(id),
        entry.id,
        int(d.noticeId),
        int(subscriber),
        status,
        text(messageId),
        status === "sent" ? text(at) : null,
        text(at),
      );
    const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[][]) : []);
    switch (entry.action) {
      case "version.published":
        s.version("version", [
          entry.versionId,
          entry.id,
          entry.hash,
          int(d.number),
          text(d.contentHash),
          text(d.lastUpdated),
          text(d.effectiveAt),
          text(d.publishedAt),
          bool(d.material),
          text(d.summary),
          entry.actor,
        ]);
        break;
      case "notice.created":
        s.notice("notice", [
          int(d.noticeId),
          entry.id,
          entry.documentId,
          entry.versionId,
          stableStringify(d.channels ?? null),
          stableStringify(d.audience ?? null),
          bool(d.requiresAck),
          int(d.batches),
          int(d.emailDeliveries),
          int(d.dashboardDeliveries),
          entry.actor,
        ]);
        break;
      case "notice.acknowledged":
        s.ack("acknowledgement", [
          int(d.acknowledgementId),
          entry.id,
          int(d.subscriberId),
          entry.versionId,
          entry.documentId,
          int(d.version),
          int(d.noticeId),
          text(d.channel),
          text(d.acknowledgedAt),
        ]);
        for (const id of Array.isArray(d.closedDashboardDeliveries) ? d.closedDashboardDeliveries : []) {
          s.delivery.run(
            int(id),
            entry.id,
            null,
            int(d.subscriberId),
            "delivered",
            null,
            null,
            text(d.acknowledgedAt),
          );
        }
        break;
      case "delivery.skipped":
        for (const [id, subscriber] of list(d.deliveries)) delivery(id, subscriber, "skipped", d.at);
        break;
      case "delivery.sent":
        for (const [id, subscriber, messageId] of list(d.deliveries))
          delivery(id, subscriber, "sent", d.sentAt, messageId);
        break;
      case "delivery.failed":
        for (const [id, subscriber] of list(d.deliveries)) delivery(id, subscriber, "failed", d.failedAt);
        break;
      case "delivery.delivered":
      case "delivery.bounced":
      case "delivery.complained":
        delivery(
          d.deliveryId,
          d.subscriberId,
          entry.action.slice("delivery.".length),
          d.at,
          d.providerMessageId,
        );
        break;
      case "notice.retry-failed": {
        const reset = s.retry.run(entry.id, int(d.noticeId)).changes;
        if (reset !== int(d.deliveries)) {
          this.problems.push({
            kind: "delivery",
            entry: entry.id,
            message: `entry ${entry.id} put ${String(d.deliveries)} failed emails of notice ${String(d.noticeId)} back in the outbox, but the log recorded ${reset} as failed`,
          });
        }
        break;
      }
    }
  }

  /** Compares the replayed facts with the rows, drops the temporary tables and lists what differs. */
  finish(): AuditProblem[] {
    try {
      this.checkDuplicates();
      this.checkVersions();
      this.checkNotices();
      this.checkAcknowledgements();
      this.checkDeliveries();
      return this.problems;
    } finally {
      this.client.exec(DROP);
    }
  }

  /** Names up to SHOWN rows a query finds, then counts the rest in one line. */
  private report(kind: AuditProblemKind, query: string, describe: (row: Row) => AuditProblem | null) {
    let count = 0;
    for (const row of this.client.prepare(query).iterate() as IterableIterator<Row>) {
      const problem = describe(row);
      if (!problem) continue;
      count++;
      if (count <= SHOWN) this.problems.push(problem);
    }
    if (count > SHOWN) {
      this.problems.push({ kind, message: `${count - SHOWN} more ${kind} problems like the ones above` });
    }
  }

  private checkDuplicates() {
    this.report("chain", "SELECT kind, id, entry FROM audit_check_duplicates ORDER BY entry", (row) => ({
      kind: row.kind as AuditProblemKind,
      entry: row.entry as number,
      message: `entry ${row.entry} records ${row.kind} ${row.id} a second time`,
    }));
  }

  private checkVersions() {
    this.report(
      "version",
      `SELECT v.id, v.state, v.number AS number, d.slug, d.locale FROM versions v JOIN documents d ON d.id = v.document_id
       WHERE v.state IN ('published', 'superseded') AND v.id NOT IN (SELECT id FROM audit_check_versions) ORDER BY v.id`,
      (row) => ({
        kind: "version",
        message: `version ${row.number} of ${row.slug} (${row.locale}) is ${row.state}, but no version.published entry records it`,
      }),
    );
    this.report(
      "version",
      `SELECT c.*, v.id AS row_id, v.state AS row_state, v.number AS row_number, v.content_hash AS row_content_hash,
              v.last_updated AS row_last_updated, v.effective_at AS row_effective_at, v.published_at AS row_published_at,
              v.material AS row_material, v.summary AS row_summary, v.audit_head AS row_audit_head,
              v.published_by_id AS row_published_by
       FROM audit_check_versions c LEFT JOIN versions v ON v.id = c.id ORDER BY c.entry`,
      (row) => {
        if (row.row_id === null) {
          return {
            kind: "version",
            entry: row.entry as number,
            message: `version id ${row.id}, published in entry ${row.entry}, is missing`,
          };
        }
        const differs: string[] = [];
        if (row.row_state !== "published" && row.row_state !== "superseded")
          differs.push(`state ${row.row_state}`);
        if (row.row_number !== row.number) differs.push("number");
        if (row.row_content_hash !== row.content_hash) differs.push("content");
        if (row.row_last_updated !== row.last_updated) differs.push("last updated date");
        if (row.row_effective_at !== row.effective_at) differs.push("effective date");
        if (row.published_at !== null && row.row_published_at !== row.published_at)
          differs.push("publication time");
        if (row.material !== null && row.row_material !== row.material) differs.push("material flag");
        if ((row.row_summary ?? null) !== (row.summary ?? null)) differs.push("summary");
        if (row.row_audit_head !== null && row.row_audit_head !== row.hash)
          differs.push("published chain head");
        const publisher = typeof row.publisher === "string" && /^user:(\d+)$/.exec(row.publisher);
        if ((publisher ? Number(publisher[1]) : null) !== row.row_published_by) differs.push("publisher");
        return differs.length === 0
          ? null
          : {
              kind: "version",
              entry: row.entry as number,
              message: `version ${row.row_number} (id ${row.id}) differs from its publication entry ${row.entry}: ${differs.join(", ")}`,
            };
      },
    );
  }

  private checkNotices() {
    this.report(
      "notice",
      "SELECT id FROM notices WHERE id NOT IN (SELECT id FROM audit_check_notices) ORDER BY id",
      (row) => ({ kind: "notice", message: `notice ${row.id} has no notice.created entry` }),
    );
    this.report(
      "notice",
      `SELECT c.*, n.id AS row_id, n.document_id AS row_document_id, n.version_id AS row_version_id,
              n.channels AS row_channels, n.audience AS row_audience, n.requires_ack AS row_requires_ack,
              n.batch_count AS row_batch_count, n.created_by AS row_created_by,
              (SELECT count(*) FROM deliveries x WHERE x.notice_id = c.id AND x.channel = 'email') AS row_email,
              (SELECT count(*) FROM deliveries x WHERE x.notice_id = c.id AND x.channel = 'dashboard') AS row_dashboard
       FROM audit_check_notices c LEFT JOIN notices n ON n.id = c.id ORDER BY c.entry`,
      (row) => {
        if (row.row_id === null) {
          return {
            kind: "notice",
            entry: row.entry as number,
            message: `notice ${row.id}, created in entry ${row.entry}, is missing`,
          };
        }
        const json = (value: unknown) =>
          stableStringify(typeof value === "string" ? JSON.parse(value) : null);
        const differs: string[] = [];
        if (row.row_document_id !== row.document_id || row.row_version_id !== row.version_id)
          differs.push("version");
        if (json(row.row_channels) !== row.channels) differs.push("channels");
        if (json(row.row_audience) !== row.audience) differs.push("audience");
        if (row.row_requires_ack !== row.requires_ack) differs.push("acknowledgement requirement");
        if (row.row_batch_count !== row.batch_count) differs.push("batches");
        if (row.row_created_by !== row.created_by) differs.push("creator");
        if (row.row_email !== row.email)
          differs.push(`email deliveries (${row.row_email} rows, ${row.email} recorded)`);
        if (row.row_dashboard !== row.dashboard)
          differs.push(`dashboard deliveries (${row.row_dashboard} rows, ${row.dashboard} recorded)`);
        return differs.length === 0
          ? null
          : {
              kind: "notice",
              entry: row.entry as number,
              message: `notice ${row.id} differs from its entry ${row.entry}: ${differs.join(", ")}`,
            };
      },
    );
  }

  private checkAcknowledgements() {
    this.report(
      "acknowledgement",
      "SELECT id FROM acknowledgements WHERE id NOT IN (SELECT id FROM audit_check_acks) ORDER BY id",
      (row) => ({
        kind: "acknowledgement",
        message: `acknowledgement ${row.id} has no notice.acknowledged entry`,
      }),
    );
    this.report(
      "acknowledgement",
      `SELECT c.id, c.entry, a.id AS row_id,
              (a.subscriber_id IS c.subscriber_id) AS same_subscriber,
              (a.version_id IS c.version_id AND a.document_id IS c.document_id AND a.version_number IS c.version_number) AS same_version,
              (a.notice_id IS c.notice_id) AS same_notice, (a.channel IS c.channel) AS same_channel,
              (a.acknowledged_at IS c.acknowledged_at) AS same_time
       FROM audit_check_acks c LEFT JOIN acknowledgements a ON a.id = c.id ORDER BY c.entry`,
      (row) => {
        if (row.row_id === null) {
          return {
            kind: "acknowledgement",
            entry: row.entry as number,
            message: `acknowledgement ${row.id}, recorded in entry ${row.entry}, is missing`,
          };
        }
        const differs = [
          row.same_subscriber ? null : "subscriber",
          row.same_version ? null : "version",
          row.same_notice ? null : "notice",
          row.same_channel ? null : "channel",
          row.same_time ? null : "time",
        ].filter(Boolean);
        return differs.length === 0
          ? null
          : {
              kind: "acknowledgement",
              entry: row.entry as number,
              message: `acknowledgement ${row.id} differs from its entry ${row.entry}: ${differs.join(", ")}`,
            };
      },
    );
  }

  private checkDeliveries() {
    // Pending and sending are the outbox's own states (no entry records them); every outcome is recorded.
    this.report(
      "delivery",
      `SELECT d.id, d.status FROM deliveries d
       WHERE d.status NOT IN ('pending', 'sending') AND d.id NOT IN (SELECT id FROM audit_check_deliveries)
       ORDER BY d.id`,
      (row) => ({
        kind: "delivery",
        message: `delivery ${row.id} is ${row.status}, but no audit entry records that`,
      }),
    );
    this.report(
      "delivery",
      `SELECT c.id, c.entry, c.status, d.id AS row_id, d.status AS row_status,
              (c.status = 'pending' AND d.status IN ('pending', 'sending')) OR d.status IS c.status AS same_status,
              d.subscriber_id IS c.subscriber_id AS same_subscriber,
              c.notice_id IS NULL OR d.notice_id IS c.notice_id AS same_notice,
              c.provider_message_id IS NULL OR d.provider_message_id IS c.provider_message_id AS same_message,
              c.sent_at IS NULL OR d.sent_at IS c.sent_at AS same_sent_at,
              c.status = 'pending' OR d.status_at IS c.status_at AS same_status_at
       FROM audit_check_deliveries c LEFT JOIN deliveries d ON d.id = c.id
       WHERE d.id IS NULL OR NOT (same_status AND same_subscriber AND same_notice AND same_message AND same_sent_at AND same_status_at)
       ORDER BY c.id`,
      (row) => {
        if (row.row_id === null) {
          return {
            kind: "delivery",
            entry: row.entry as number,
            message: `delivery ${row.id}, recorded in entry ${row.entry}, is missing`,
          };
        }
        const differs = [
          row.same_status ? null : `status ${row.row_status} (entry: ${row.status})`,
          row.same_subscriber ? null : "subscriber",
          row.same_notice ? null : "notice",
          row.same_message ? null : "provider message id",
          row.same_sent_at ? null : "send time",
          row.same_status_at ? null : "status time",
        ].filter(Boolean);
        return {
          kind: "delivery",
          entry: row.entry as number,
          message: `delivery ${row.id} differs from entry ${row.entry}: ${differs.join(", ")}`,
        };
      },
    );
  }
}

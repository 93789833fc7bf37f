/**
 * `redline audit verify` also checks the proof tables against the entries that record them
 * (ADR 0011): a published version, notice, delivery outcome or acknowledgement without its entry,
 * or whose facts differ from it, is named by id — and so is an entry whose row is gone.
 *
 * The entries are replayed in order into temporary tables (what each row should say now), then
 * compared with the real rows in SQL, so a log of millions of deliveries is checked in flat memory.
 */
import { type SQL, sql } from "drizzle-orm";
import { execute, jsonArrayRows, jsonField, jsonValue, type Queryable, rows } from "../../db/dialect";
import type { AuditProblem, AuditProblemKind, StoredAuditEntry } from "../core/audit";
import { stableStringify } from "../core/stable-json";

/** At most this many rows are named per kind of mismatch; the rest are counted. */
const SHOWN = 20;
/** Rows per bulk INSERT (each batch is bound as one JSON value). */
const BATCH = 5000;

const TABLES = [
  `audit_check_versions (id INTEGER PRIMARY KEY, entry INTEGER, hash TEXT, number INTEGER,
    content_hash TEXT, last_updated TEXT, effective_at TEXT, published_at TEXT, material INTEGER, summary TEXT,
    publisher TEXT)`,
  `audit_check_notices (id INTEGER PRIMARY KEY, entry INTEGER, document_id INTEGER,
    version_id INTEGER, channels TEXT, audience TEXT, requires_ack INTEGER, batch_count INTEGER,
    email INTEGER, dashboard INTEGER, created_by TEXT)`,
  `audit_check_acks (id INTEGER PRIMARY KEY, entry INTEGER, subscriber_id INTEGER,
    version_id INTEGER, document_id INTEGER, version_number INTEGER, notice_id INTEGER, channel TEXT,
    acknowledged_at TEXT)`,
  `audit_check_deliveries (id INTEGER PRIMARY KEY, entry INTEGER, notice_id INTEGER,
    subscriber_id INTEGER, status TEXT, provider_message_id TEXT, sent_at TEXT, status_at TEXT)`,
];

const COLUMNS = {
  version: [
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
  ],
  notice: [
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
  ],
  acknowledgement: [
    "id",
    "entry",
    "subscriber_id",
    "version_id",
    "document_id",
    "version_number",
    "notice_id",
    "channel",
    "acknowledged_at",
  ],
} as const;
type Recorded = keyof typeof COLUMNS;
const TABLE: Record<Recorded, string> = {
  version: "audit_check_versions",
  notice: "audit_check_notices",
  acknowledgement: "audit_check_acks",
};

/** What an entry says a delivery should be now: id, entry, notice, subscriber, status, message id, sent, status time. */
type DeliveryFacts = [
  number,
  number,
  number | null,
  number | null,
  string,
  string | null,
  string | null,
  string | null,
];

type Row = Record<string, unknown>;

const int = (value: unknown) => (typeof value === "number" ? value : null);
const text = (value: unknown) => (typeof value === "string" ? value : null);
const bool = (value: unknown) => (typeof value === "boolean" ? Number(value) : null);
/** A flag as a number on both engines (PostgreSQL gives booleans, SQLite integers). */
const flag = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The column types of the temporary tables, for reading a batch's JSON fields. */
const TYPES: Record<string, "INTEGER" | "TEXT"> = {};
for (const table of TABLES) {
  for (const [, column, type] of table.matchAll(/(\w+) (INTEGER|TEXT)/g))
    TYPES[column] = type as "INTEGER" | "TEXT";
}

/** `SELECT … FROM <the batch>` giving `columns` in order: the batch bound as one JSON value. */
function batchRows(tx: Queryable, columns: readonly string[], batch: unknown[][]): SQL {
  const fields = columns.map((column, i) => jsonField("b", i, TYPES[column]));
  return sql`SELECT ${sql.join(fields, sql`, `)} FROM ${jsonArrayRows(tx, batch, "b")} WHERE true`;
}

const DELIVERY_COLUMNS = [
  "id",
  "entry",
  "notice_id",
  "subscriber_id",
  "status",
  "provider_message_id",
  "sent_at",
  "status_at",
] as const;

/**
 * Entries are pushed synchronously while the chain is read; their facts wait in memory and go to
 * the temporary tables in multi-row statements at `flush` (after each page of the log), in the order
 * the entries came, so the replay is the same as one statement per entry.
 */
export class ProofReplay {
  private readonly problems: AuditProblem[] = [];
  private readonly duplicates: { kind: Recorded; id: number; entry: number }[] = [];
  private readonly pending: Record<Recorded, Map<number, unknown[]>> = {
    version: new Map(),
    notice: new Map(),
    acknowledgement: new Map(),
  };
  /** Latest facts per delivery not yet written, merged as the upsert would merge them. */
  private deliveries = new Map<number, DeliveryFacts>();
  /** Retries wait for the deliveries recorded before them; queued in entry order. */
  private steps: (
    | { retry: { entry: number; noticeId: unknown; expected: unknown } }
    | { deliveries: Map<number, DeliveryFacts> }
  )[] = [];

  private constructor(private readonly tx: Queryable) {}

  /** Creates the temporary tables in the snapshot transaction, which drops them when it ends. */
  static async start(tx: Queryable, kind: "sqlite" | "postgres"): Promise<ProofReplay> {
    for (const table of TABLES) {
      const name = table.slice(0, table.indexOf(" "));
      if (kind === "sqlite") await execute(tx, sql.raw(`DROP TABLE IF EXISTS temp.${name}`));
      await execute(tx, sql.raw(`CREATE TEMP TABLE ${table}${kind === "postgres" ? " ON COMMIT DROP" : ""}`));
    }
    return new ProofReplay(tx);
  }

  private record(kind: Recorded, values: unknown[]) {
    const id = values[0] as number | null;
    // An entry without the row's id names nothing to compare (Redline never writes one).
    if (id === null) return;
    const batch = this.pending[kind];
    if (batch.has(id)) this.duplicates.push({ kind, id, entry: values[1] as number });
    else batch.set(id, values);
  }

  private delivery(facts: DeliveryFacts) {
    if (facts[0] === null) return;
    const before = this.deliveries.get(facts[0]);
    this.deliveries.set(
      facts[0],
      before
        ? [
            facts[0],
            facts[1],
            facts[2] ?? before[2],
            facts[3],
            facts[4],
            facts[5] ?? before[5],
            facts[6] ?? before[6],
            facts[7],
          ]
        : facts,
    );
  }

  /** Writes what the pushed entries recorded to the temporary tables. */
  async flush(): Promise<void> {
    for (const kind of Object.keys(this.pending) as Recorded[]) {
      const batch = [...this.pending[kind].values()];
      this.pending[kind].clear();
      for (let i = 0; i < batch.length; i += BATCH) {
        const part = batch.slice(i, i + BATCH);
        const inserted = await rows<{ id: number }>(
          this.tx,
          sql`INSERT INTO ${sql.raw(TABLE[kind])} (${sql.raw(COLUMNS[kind].join(", "))})
              ${batchRows(this.tx, COLUMNS[kind], part)} ON CONFLICT DO NOTHING RETURNING id`,
        );
        if (inserted.length === part.length) continue;
        const added = new Set(inserted.map((row) => Number(row.id)));
        for (const values of part) {
          if (!added.has(values[0] as number)) {
            this.duplicates.push({ kind, id: values[0] as number, entry: values[1] as number });
          }
        }
      }
    }
    this.steps.push({ deliveries: this.deliveries });
    this.deliveries = new Map();
    const steps = this.steps;
    this.steps = [];
    for (const step of steps) {
      if ("deliveries" in step) await this.writeDeliveries([...step.deliveries.values()]);
      else await this.retry(step.retry);
    }
  }

  // The latest entry about a delivery says what it should be now; the provider id and send time
  // are written once, by `delivery.sent`, and kept by later outcomes.
  private async writeDeliveries(facts: DeliveryFacts[]) {
    for (let i = 0; i < facts.length; i += BATCH) {
      await execute(
        this.tx,
        sql`INSERT INTO audit_check_deliveries AS c (${sql.raw(DELIVERY_COLUMNS.join(", "))})
            ${batchRows(this.tx, DELIVERY_COLUMNS, facts.slice(i, i + BATCH))}
            ON CONFLICT (id) DO UPDATE SET entry = excluded.entry,
              notice_id = coalesce(excluded.notice_id, c.notice_id), subscriber_id = excluded.subscriber_id,
              status = excluded.status, provider_message_id = coalesce(excluded.provider_message_id, c.provider_message_id),
              sent_at = coalesce(excluded.sent_at, c.sent_at), status_at = excluded.status_at`,
      );
    }
  }

  private async retry({
    entry,
    noticeId,
    expected,
  }: {
    entry: number;
    noticeId: unknown;
    expected: unknown;
  }) {
    const reset = await execute(
      this.tx,
      sql`UPDATE audit_check_deliveries SET status = 'pending', status_at = NULL, entry = ${entry}
          WHERE notice_id = ${int(noticeId)} AND status = 'failed'`,
    );
    if (reset !== int(expected)) {
      this.problems.push({
        kind: "delivery",
        entry,
        message: `entry ${entry} put ${String(expected)} failed emails of notice ${String(noticeId)} back in the outbox, but the log recorded ${reset} as failed`,
      });
    }
  }

  push(entry: StoredAuditEntry): void {
    const d = entry.details;
    const delivery = (
      id: unknown,
      subscriber: unknown,
      status: string,
      at: unknown,
      messageId: unknown = null,
    ) =>
      this.delivery([
        int(id) as number,
        entry.id,
        int(d.noticeId),
        int(subscriber),
        status,
        text(messageId),
        status === "sent" ? text(at) : null,
        text(at),
      ]);
    const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[][]) : []);
    switch (entry.action) {
      case "version.published":
        this.record("version", [
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
        this.record("notice", [
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
        this.record("acknowledgement", [
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
          this.delivery([
            int(id) as number,
            entry.id,
            null,
            int(d.subscriberId),
            "delivered",
            null,
            null,
            text(d.acknowledgedAt),
          ]);
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
        this.steps.push({ deliveries: this.deliveries });
        this.deliveries = new Map();
        this.steps.push({ retry: { entry: entry.id, noticeId: d.noticeId, expected: d.deliveries } });
        break;
      }
    }
  }

  /**
   * Compares the replayed facts with the rows and lists what differs (the snapshot's end drops the
   * temporary tables).
   */
  async finish(): Promise<AuditProblem[]> {
    await this.flush();
    this.checkDuplicates();
    await this.checkVersions();
    await this.checkNotices();
    await this.checkAcknowledgements();
    await this.checkDeliveries();
    return this.problems;
  }

  /** Names up to SHOWN rows a query finds, then counts the rest in one line. */
  private async report(kind: AuditProblemKind, query: string, describe: (row: Row) => AuditProblem | null) {
    this.tally(kind, await rows<Row>(this.tx, sql.raw(query)), describe);
  }

  private tally<T>(kind: AuditProblemKind, found: T[], describe: (row: T) => AuditProblem | null) {
    let count = 0;
    for (const row of found) {
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
    const found = [...this.duplicates].sort((a, b) => a.entry - b.entry);
    this.tally("chain", found, (row) => ({
      kind: row.kind,
      entry: row.entry,
      message: `entry ${row.entry} records ${row.kind} ${row.id} a second time`,
    }));
  }

  private async checkVersions() {
    await this.report(
      "version",
      `SELECT v.id, v.state, v.number AS number, d.slug, d.locale FROM versions v JOIN documents d ON d.id = v.document_id
       WHERE v.state IN ('published', 'superseded') AND v.id NOT IN (SELECT id FROM audit_check_versions) ORDER BY v.id`,
      (row) => ({
        kind: "version",
        message: `version ${row.number} of ${row.slug} (${row.locale}) is ${row.state}, but no version.published entry records it`,
      }),
    );
    await this.report(
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
        if (row.material !== null && flag(row.row_material) !== row.material) differs.push("material flag");
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

  private async checkNotices() {
    await this.report(
      "notice",
      "SELECT id FROM notices WHERE id NOT IN (SELECT id FROM audit_check_notices) ORDER BY id",
      (row) => ({ kind: "notice", message: `notice ${row.id} has no notice.created entry` }),
    );
    await this.report(
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
        const json = (value: unknown) => stableStringify(value == null ? null : jsonValue(value));
        const differs: string[] = [];
        if (row.row_document_id !== row.document_id || row.row_version_id !== row.version_id)
          differs.push("version");
        if (json(row.row_channels) !== row.channels) differs.push("channels");
        if (json(row.row_audience) !== row.audience) differs.push("audience");
        if (flag(row.row_requires_ack) !== row.requires_ack) differs.push("acknowledgement requirement");
        if (row.row_batch_count !== row.batch_count) differs.push("batches");
        if (row.row_created_by !== row.created_by) differs.push("creator");
        if (Number(row.row_email) !== row.email)
          differs.push(`email deliveries (${row.row_email} rows, ${row.email} recorded)`);
        if (Number(row.row_dashboard) !== row.dashboard)
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

  private async checkAcknowledgements() {
    await this.report(
      "acknowledgement",
      "SELECT id FROM acknowledgements WHERE id NOT IN (SELECT id FROM audit_check_acks) ORDER BY id",
      (row) => ({
        kind: "acknowledgement",
        message: `acknowledgement ${row.id} has no notice.acknowledged entry`,
      }),
    );
    await this.report(
      "acknowledgement",
      `SELECT c.id, c.entry, a.id AS row_id,
              (a.subscriber_id IS NOT DISTINCT FROM c.subscriber_id) AS same_subscriber,
              (a.version_id IS NOT DISTINCT FROM c.version_id AND a.document_id IS NOT DISTINCT FROM c.document_id AND a.version_number IS NOT DISTINCT FROM c.version_number) AS same_version,
              (a.notice_id IS NOT DISTINCT FROM c.notice_id) AS same_notice, (a.channel IS NOT DISTINCT FROM c.channel) AS same_channel,
              (a.acknowledged_at IS NOT DISTINCT FROM c.acknowledged_at) AS same_time
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

  private async checkDeliveries() {
    // Pending and sending are the outbox's own states (no entry records them); every outcome is recorded.
    await this.report(
      "delivery",
      `SELECT d.id, d.status FROM deliveries d
       WHERE d.status NOT IN ('pending', 'sending') AND d.id NOT IN (SELECT id FROM audit_check_deliveries)
       ORDER BY d.id`,
      (row) => ({
        kind: "delivery",
        message: `delivery ${row.id} is ${row.status}, but no audit entry records that`,
      }),
    );
    await this.report(
      "delivery",
      `SELECT * FROM (SELECT c.id, c.entry, c.status, d.id AS row_id, d.status AS row_status,
              (c.status = 'pending' AND d.status IN ('pending', 'sending')) OR d.status IS NOT DISTINCT FROM c.status AS same_status,
              d.subscriber_id IS NOT DISTINCT FROM c.subscriber_id AS same_subscriber,
              c.notice_id IS NULL OR d.notice_id IS NOT DISTINCT FROM c.notice_id AS same_notice,
              c.provider_message_id IS NULL OR d.provider_message_id IS NOT DISTINCT FROM c.provider_message_id AS same_message,
              c.sent_at IS NULL OR d.sent_at IS NOT DISTINCT FROM c.sent_at AS same_sent_at,
              c.status = 'pending' OR d.status_at IS NOT DISTINCT FROM c.status_at AS same_status_at
       FROM audit_check_deliveries c LEFT JOIN deliveries d ON d.id = c.id) compared
       WHERE row_id IS NULL OR NOT (same_status AND same_subscriber AND same_notice AND same_message AND same_sent_at AND same_status_at)
       ORDER BY id`,
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

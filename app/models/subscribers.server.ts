import type Database from "better-sqlite3";
import { eq, type SQL, sql } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { countAll, execute, first, jsonEntries, jsonText, type Queryable, rows } from "../../db/dialect";
import {
  acknowledgements,
  deliveries,
  documents,
  notices,
  type Subscriber,
  subscribers,
  versions,
} from "../../db/tables";
import { type AttributeChoice, type Audience, audienceConditions } from "../core/notify/audience";
import type { SubscriberInput } from "../core/notify/subscriber";
import { Refusal } from "../core/refusal";
import { recordAudit } from "./audit.server";
import { type Actor, engine, reader, transaction, transactionClient } from "./db.server";

/**
 * The SQL condition "attributes match this audience". Attribute names were validated by
 * parseAudience; they are still bound as JSON paths, never spliced into the statement.
 */
export function audienceCondition(database: Queryable, audience: Audience | null): SQL {
  const conditions = audienceConditions(audience).map(({ name, values }) => {
    const attribute = jsonText(database, subscribers.attributes, name);
    return values.length === 1
      ? sql`${attribute} = ${values[0]}`
      : sql`${attribute} IN (${sql.join(
          values.map((v) => sql`${v}`),
          sql`, `,
        )})`;
  });
  return conditions.length === 0 ? sql`1 = 1` : sql.join(conditions, sql` AND `);
}

/** How many active subscribers an audience reaches by email (what the publisher sees first). */
export async function countAudience(audience: Audience | null): Promise<number> {
  const row = await first(
    reader()
      .select({ n: countAll() })
      .from(subscribers)
      .where(sql`${subscribers.status} = 'active' AND ${audienceCondition(reader(), audience)}`),
  );
  return row?.n ?? 0;
}

/** How many values of one attribute a picker offers: the most common ones. */
const CATALOG_VALUES = 100;
/** How many attribute names a picker offers (an audience may name at most MAX_ATTRIBUTES). */
const CATALOG_NAMES = 64;

/**
 * How long this process reuses the catalogue. It is one pass over every active subscriber (0.6 s
 * for 100,000 on a busy machine), asked for by every load of the subscriber list and the publish
 * form; what it offers are choices whose counts are indications — the audience count a publisher
 * acts on is always counted afresh (countAudience). Writes in this process forget it at once.
 */
const CATALOG_TTL_MS = 30_000;
let catalog: { until: number; choices: Promise<AttributeChoice[]> } | null = null;

/** After a write to subscribers: the next catalogue is read afresh. */
function forgetAttributeCatalog(): void {
  catalog = null;
}

/**
 * The attributes active subscribers actually have, and their most common values, for the audience
 * builder and the subscriber list's filter: names in order, values most common first. Concurrent
 * callers share one reading.
 */
export function attributeCatalog(now = Date.now()): Promise<AttributeChoice[]> {
  if (catalog && catalog.until > now) return catalog.choices;
  const choices = readAttributeCatalog();
  const entry = { until: now + CATALOG_TTL_MS, choices };
  catalog = entry;
  // A failed reading is not kept.
  choices.catch(() => {
    if (catalog === entry) catalog = null;
  });
  return choices;
}

async function readAttributeCatalog(): Promise<AttributeChoice[]> {
  const db = reader();
  const found = await rows<{ name: string; value: string; n: number | string }>(
    db,
    sql`SELECT a.key AS name, a.value AS value, count(*) AS n
      FROM subscribers s, ${jsonEntries(db, sql.raw("s.attributes"), "a")}
      WHERE s.status = 'active' AND s.attributes IS NOT NULL
      GROUP BY a.key, a.value`,
  );
  const byName = new Map<string, { value: string; subscribers: number }[]>();
  for (const { name, value, n } of found) {
    // Attributes are stored as strings (subscriberProblems); anything else is not offered.
    if (typeof value !== "string") continue;
    const list = byName.get(name) ?? [];
    list.push({ value, subscribers: Number(n) });
    byName.set(name, list);
  }
  return [...byName.keys()]
    .sort()
    .slice(0, CATALOG_NAMES)
    .map((name) => ({
      name,
      values: byName
        .get(name)!
        .sort((a, b) => b.subscribers - a.subscribers || a.value.localeCompare(b.value))
        .slice(0, CATALOG_VALUES),
    }));
}

/** Records a workspace upload of subscribers in the audit log (counts, never personal data). */
export async function recordSubscriberImport({
  actor,
  counts,
}: {
  actor: Actor;
  counts: { rows: number; created: number; updated: number; rejected: number; stopped: boolean };
}): Promise<void> {
  await transaction(async (tx) => {
    await recordAudit(tx, { actor, action: "subscribers.imported", details: { ...counts, via: "upload" } });
  });
}

const UPSERT_SQL = `
  INSERT INTO subscribers (external_id, email, name, locale, attributes, status, updated_at)
  VALUES (@externalId, @email, @name, @locale, @attributes, 'active', @now)
  ON CONFLICT (external_id) DO UPDATE SET
    email = excluded.email,
    name = excluded.name,
    locale = excluded.locale,
    attributes = excluded.attributes,
    -- A new address gives a bounced or complaining subscriber a fresh start; the old one does not.
    status = CASE WHEN subscribers.status IN ('bounced', 'complained') AND subscribers.email IS DISTINCT FROM excluded.email
      THEN 'active' ELSE subscribers.status END,
    status_reason = CASE WHEN subscribers.status IN ('bounced', 'complained') AND subscribers.email IS DISTINCT FROM excluded.email
      THEN NULL ELSE subscribers.status_reason END,
    updated_at = excluded.updated_at
  WHERE subscribers.status <> 'erased'
  RETURNING id`;

export type UpsertOutcome = "created" | "updated" | "erased";

/**
 * Upserts subscribers in one transaction, in order; an erased externalId is left alone and
 * reported as "erased" (erasure is final: the same id is never filled with personal data again).
 * The CSV import calls it per chunk of a streamed file.
 */
export function upsertSubscribers(rows: SubscriberInput[]): Promise<UpsertOutcome[]> {
  return upsertChunk(rows).finally(forgetAttributeCatalog);
}

function upsertChunk(rows: SubscriberInput[]): Promise<UpsertOutcome[]> {
  const now = new Date().toISOString();
  if (engine().kind === "postgres") return transaction((tx) => upsertChunkOnPostgres(tx, rows, now));
  return transaction(async () => {
    // Prepared once per connection and reused row after row: a drizzle `sql` per row is prepared
    // again each time, six times slower for a large CSV import (100,000 rows: 4 s instead of 0.6 s).
    const { upsert, maxId } = upsertStatementsOf(transactionClient());
    const before = (maxId.get() as { id: number }).id;
    return rows.map((row): UpsertOutcome => {
      const returned = upsert.get({
        externalId: row.externalId,
        email: row.email,
        name: row.name,
        locale: row.locale,
        attributes: JSON.stringify(row.attributes),
        now,
      }) as { id: number } | undefined;
      if (!returned) return "erased";
      // Ids only grow, so a row above the previous maximum was inserted by this statement.
      return returned.id > before ? "created" : "updated";
    });
  });
}

/**
 * The chunk as one statement on PostgreSQL: a round trip per row would cost more than the upsert.
 * ON CONFLICT cannot touch one row twice in a statement, so an externalId named again in the chunk
 * is written once, with its last values; its later rows report "updated" (or "erased"), as the
 * row-by-row path would. `xmax = 0` marks a row this statement inserted.
 */
async function upsertChunkOnPostgres(tx: Transaction, chunk: SubscriberInput[], now: string) {
  const last = new Map<string, SubscriberInput>();
  for (const row of chunk) last.set(row.externalId, row);
  const unique = [...last.values()];
  const returned = await rows<{ external_id: string; inserted: boolean }>(
    tx,
    sql`INSERT INTO subscribers (external_id, email, name, locale, attributes, status, updated_at)
      SELECT external_id, email, name, locale, attributes::jsonb, 'active', ${now}
      FROM unnest(${sql.param(unique.map((r) => r.externalId))}::text[], ${sql.param(unique.map((r) => r.email))}::text[],
        ${sql.param(unique.map((r) => r.name))}::text[], ${sql.param(unique.map((r) => r.locale))}::text[],
        ${sql.param(unique.map((r) => JSON.stringify(r.attributes)))}::text[])
        AS given(external_id, email, name, locale, attributes)
      ON CONFLICT (external_id) DO UPDATE SET
        email = excluded.email,
        name = excluded.name,
        locale = excluded.locale,
        attributes = excluded.attributes,
        status = CASE WHEN subscribers.status IN ('bounced', 'complained') AND subscribers.email IS DISTINCT FROM excluded.email
          THEN 'active' ELSE subscribers.status END,
        status_reason = CASE WHEN subscribers.status IN ('bounced', 'complained') AND subscribers.email IS DISTINCT FROM excluded.email
          THEN NULL ELSE subscribers.status_reason END,
        updated_at = excluded.updated_at
      WHERE subscribers.status <> 'erased'
      RETURNING external_id, (xmax = 0) AS inserted`,
  );
  const outcome = new Map(returned.map((r) => [r.external_id, r.inserted ? "created" : "updated"] as const));
  const seen = new Set<string>();
  return chunk.map((row): UpsertOutcome => {
    const written = outcome.get(row.externalId);
    if (!written) return "erased";
    if (seen.has(row.externalId)) return "updated";
    seen.add(row.externalId);
    return written;
  });
}

const upsertStatements = new WeakMap<
  Database.Database,
  { upsert: Database.Statement; maxId: Database.Statement }
>();

function upsertStatementsOf(client: Database.Database) {
  let statements = upsertStatements.get(client);
  if (!statements) {
    statements = {
      upsert: client.prepare(UPSERT_SQL),
      maxId: client.prepare("SELECT coalesce(max(id), 0) AS id FROM subscribers"),
    };
    upsertStatements.set(client, statements);
  }
  return statements;
}

/** Creates or updates one subscriber (PUT /api/v1/subscribers/:externalId). */
export async function upsertSubscriber(
  input: SubscriberInput,
): Promise<{ subscriber: Subscriber; created: boolean }> {
  const [outcome] = await upsertSubscribers([input]);
  if (outcome === "erased") {
    throw new Refusal(
      "conflict",
      `subscriber "${input.externalId}" was erased; an erased externalId cannot be given personal data again`,
    );
  }
  const subscriber = (await first(
    reader().select().from(subscribers).where(eq(subscribers.externalId, input.externalId)),
  ))!;
  return { subscriber, created: outcome === "created" };
}

export async function findSubscriber(externalId: string): Promise<Subscriber | undefined> {
  return await first(reader().select().from(subscribers).where(eq(subscribers.externalId, externalId)));
}

/** Everything Redline stores about one person, for access and portability requests. */
export type SubscriberRecord = {
  subscriber: Omit<Subscriber, "id">;
  deliveries: {
    noticeId: number;
    document: string;
    locale: string;
    version: number;
    channel: string;
    status: string;
    /** What carried the email: "resend", "resend-compatible <origin>" or "capture" (delivered to nobody). */
    transport: string | null;
    providerMessageId: string | null;
    redlineFrom: number | null;
    sentAt: string | null;
    statusAt: string | null;
    lastError: string | null;
    /** The copy of the address taken while an email is in flight (blanked once it resolves). */
    recipientEmail: string | null;
    recipientName: string | null;
    recipientLocale: string | null;
  }[];
  acknowledgements: {
    noticeId: number | null;
    document: string;
    locale: string;
    version: number;
    channel: string;
    acknowledgedAt: string;
  }[];
};

export async function getSubscriberRecord(externalId: string): Promise<SubscriberRecord | null> {
  const found = await findSubscriber(externalId);
  if (!found) return null;
  const { id, ...subscriber } = found;
  const sent = await reader()
    .select({
      noticeId: deliveries.noticeId,
      document: documents.slug,
      locale: documents.locale,
      version: versions.number,
      channel: deliveries.channel,
      status: deliveries.status,
      transport: deliveries.transport,
      providerMessageId: deliveries.providerMessageId,
      redlineFrom: deliveries.redlineFrom,
      sentAt: deliveries.sentAt,
      statusAt: deliveries.statusAt,
      lastError: deliveries.lastError,
      recipientEmail: deliveries.recipientEmail,
      recipientName: deliveries.recipientName,
      recipientLocale: deliveries.recipientLocale,
    })
    .from(deliveries)
    .innerJoin(notices, eq(notices.id, deliveries.noticeId))
    .innerJoin(versions, eq(versions.id, notices.versionId))
    .innerJoin(documents, eq(documents.id, notices.documentId))
    .where(eq(deliveries.subscriberId, id))
    .orderBy(deliveries.noticeId, deliveries.channel);
  const acknowledged = await reader()
    .select({
      noticeId: acknowledgements.noticeId,
      document: documents.slug,
      locale: documents.locale,
      version: acknowledgements.versionNumber,
      channel: acknowledgements.channel,
      acknowledgedAt: acknowledgements.acknowledgedAt,
    })
    .from(acknowledgements)
    .innerJoin(documents, eq(documents.id, acknowledgements.documentId))
    .where(eq(acknowledgements.subscriberId, id))
    .orderBy(acknowledgements.acknowledgedAt);
  return { subscriber, deliveries: sent, acknowledgements: acknowledged };
}

/**
 * Erases a subscriber's personal data (address, name, attributes) and blanks the address copies
 * of deliveries that are not in flight. The row, its externalId and the record of notices stay:
 * they are the pseudonymous proof that the person was told. Erasing twice is harmless.
 */
export async function eraseSubscriber({
  externalId,
  actor,
  via,
}: {
  externalId: string;
  actor: Actor;
  /** Who asked, for the audit log (e.g. "api-key:backend"). */
  via?: string;
}): Promise<{ alreadyErased: boolean }> {
  return eraseOne({ externalId, actor, via }).finally(forgetAttributeCatalog);
}

function eraseOne({ externalId, actor, via }: { externalId: string; actor: Actor; via?: string }) {
  return transaction(async (tx) => {
    const found = await first(tx.select().from(subscribers).where(eq(subscribers.externalId, externalId)));
    if (!found) throw new Refusal("not-found", `no subscriber "${externalId}"`);
    if (found.status === "erased") return { alreadyErased: true };
    await eraseRow(tx, found.id);
    await recordAudit(tx, {
      actor,
      action: "subscriber.erased",
      details: { subscriberId: found.id, externalId, ...(via ? { via } : {}) },
    });
    return { alreadyErased: false };
  });
}

async function eraseRow(tx: Transaction, subscriberId: number) {
  const now = new Date().toISOString();
  await tx
    .update(subscribers)
    .set({
      email: null,
      name: null,
      attributes: null,
      status: "erased",
      statusReason: "erased on request",
      erasedAt: now,
      updatedAt: now,
    })
    .where(eq(subscribers.id, subscriberId));
  // A frozen batch that is still being retried keeps its copy until it resolves (see ADR 0006):
  // its body must stay byte-identical for the idempotency key. Everything else is blanked now.
  await execute(
    tx,
    sql`UPDATE deliveries SET recipient_email = NULL, recipient_name = NULL
    WHERE subscriber_id = ${subscriberId} AND status <> 'sending' AND recipient_email IS NOT NULL`,
  );
}

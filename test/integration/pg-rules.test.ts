/**
 * The protective rules on PostgreSQL (db/pg/migrations/0001_rules.sql, ADR 0011 and 0017): the
 * twin of database-rules.test.ts. Raw SQL on a migrated database cannot rewrite published versions,
 * the audit log or the proof of notice, while every write Redline itself makes (publishing,
 * superseding, sending, webhooks, acknowledgements, erasure, retention, a retry of a failed batch)
 * still passes. Concurrent audit appends cannot fork the chain, and a dropped, replaced or disabled
 * rule comes back with the next restore.
 *
 * The models do not run on PostgreSQL yet, so the writes are made as the models make them, in SQL.
 * The file creates its own database on the local server and drops it afterwards.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedRules, inspectTriggers, restoreTriggers } from "../../db/pg/rules";

const FOLDER = join(process.cwd(), "db", "pg", "migrations");
const SERVER = process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NAME = `rules_${randomBytes(6).toString("hex")}`;
const GENESIS = "0".repeat(64);

let admin: pg.Client;
let raw: pg.Client;
let pool: pg.Pool;

type Row = Record<string, unknown>;
const one = async (query: string, params: unknown[] = []) => (await raw.query(query, params)).rows[0] as Row;
const run = (query: string, params: unknown[] = []) => raw.query(query, params);

/** The error a statement fails with, or null. */
const failure = (db: pg.ClientBase | pg.Pool, query: string, params: unknown[] = []) =>
  db.query(query, params).then(
    () => null,
    (error: pg.DatabaseError) => error,
  );

/** The statement is refused by a rule: SQLSTATE 23R01 and the message SQLite gives too. */
async function refused(query: string, message: string, params: unknown[] = []) {
  const error = await failure(raw, query, params);
  expect(error, query).toMatchObject({ code: "23R01", message: expect.stringContaining(message) });
}

/** Applies the committed migrations as drizzle's migrator does: each file split on its breakpoints. */
async function migrate(db: pg.Client) {
  const journal = JSON.parse(readFileSync(join(FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  for (const { tag } of journal.entries) {
    for (const statement of readFileSync(join(FOLDER, `${tag}.sql`), "utf8").split(
      "--> statement-breakpoint",
    )) {
      if (statement.trim()) await db.query(statement);
    }
  }
}

/* ------------------------------------------------------------------ writes as the models make them */

const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();

async function headHash(db: pg.ClientBase): Promise<string> {
  const { rows } = await db.query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1");
  return rows[0]?.hash ?? GENESIS;
}

/** Inserts an entry on top of `prev` (the head, unless a test says otherwise). */
async function insertEntry(
  db: pg.ClientBase,
  prev: string,
  entry: { action: string; documentId?: number; versionId?: number; details?: Row } = { action: "test" },
) {
  const hash = createHash("sha256")
    .update(`${prev}\n${entry.action}\n${randomBytes(8).toString("hex")}`)
    .digest("hex");
  const { rows } = await db.query(
    `INSERT INTO audit_log (at, actor, action, document_id, version_id, details, prev_hash, hash)
     VALUES ($1, 'cli', $2, $3, $4, $5, $6, $7) RETURNING id, hash`,
    [
      new Date().toISOString(),
      entry.action,
      entry.documentId ?? null,
      entry.versionId ?? null,
      JSON.stringify(entry.details ?? {}),
      prev,
      hash,
    ],
  );
  return rows[0] as { id: number; hash: string };
}

async function draft(documentId: number, number: number, text = `Version ${number}.`) {
  const content = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] };
  const hash = createHash("sha256").update(JSON.stringify(content)).digest("hex");
  const { rows } = await raw.query(
    `INSERT INTO versions (document_id, number, content, html, text, outline, content_hash, author_id)
     VALUES ($1, $2, $3, $4, $5, '[]', $6, 1) RETURNING id, content_hash`,
    [documentId, number, JSON.stringify(content), `<p>${text}</p>`, text, hash],
  );
  return rows[0] as { id: number; content_hash: string };
}

/** publishVersion's order: supersede, record the publication, then mark the draft published. */
async function publish(documentId: number, number: number, day: number) {
  const version = await draft(documentId, number);
  await run("BEGIN");
  await run("UPDATE versions SET state = 'superseded' WHERE document_id = $1 AND state = 'published'", [
    documentId,
  ]);
  const entry = await insertEntry(raw, await headHash(raw), {
    action: "version.published",
    documentId,
    versionId: version.id,
    details: { number, contentHash: version.content_hash, publishedAt: at(day) },
  });
  await run(
    `UPDATE versions SET state = 'published', last_updated = $2, effective_at = $2, published_at = $3,
       material = $4, summary = $5, approved_by_id = 1, published_by_id = 1, audit_head = $6 WHERE id = $1`,
    [version.id, at(day).slice(0, 10), at(day), number > 1, number > 1 ? "What changed." : null, entry.hash],
  );
  await run("COMMIT");
  return version.id;
}

async function document(slug: string): Promise<number> {
  return (await one("INSERT INTO documents (slug, title) VALUES ($1, 'Privacy Policy') RETURNING id", [slug]))
    .id as number;
}

async function subscriber(externalId: string): Promise<number> {
  return (
    await one("INSERT INTO subscribers (external_id, email, name) VALUES ($1, $2, 'Someone') RETURNING id", [
      externalId,
      `${externalId}@example.test`,
    ])
  ).id as number;
}

/** createNotice: the notice, its one batch, a delivery per subscriber and channel, then the count. */
async function notice(documentId: number, versionId: number, subscribers: number[], channels: string[]) {
  const id = (
    await one(
      `INSERT INTO notices (document_id, version_id, previous_number, channels, audience, requires_ack, created_by)
       VALUES ($1, $2, 1, $3, '{"group":"rules"}', true, 'cli') RETURNING id`,
      [documentId, versionId, JSON.stringify(channels)],
    )
  ).id as number;
  await run("INSERT INTO delivery_batches (notice_id, number) VALUES ($1, 1)", [id]);
  for (const s of subscribers) {
    for (const channel of channels) {
      await run(
        "INSERT INTO deliveries (notice_id, subscriber_id, channel, batch_number) VALUES ($1, $2, $3, $4)",
        [id, s, channel, channel === "email" ? 1 : null],
      );
    }
  }
  await run("UPDATE notices SET batch_count = 1 WHERE id = $1", [id]);
  return id;
}

/** The dispatcher freezes the batch (recipient copies) and sends it. */
async function freeze(noticeId: number) {
  await run("UPDATE delivery_batches SET frozen_at = $2 WHERE notice_id = $1", [noticeId, at(40)]);
  await run(
    `UPDATE deliveries d SET status = 'sending', recipient_email = s.email, recipient_name = s.name,
       recipient_locale = s.locale, redline_from = 1
     FROM subscribers s WHERE s.id = d.subscriber_id AND d.notice_id = $1 AND d.channel = 'email'`,
    [noticeId],
  );
}

const ids = { v1: 0, v2: 0, doc: 0, notice: 0, failedNotice: 0, s: [] as number[] };

beforeAll(async () => {
  admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${NAME}`);
  const url = new URL(SERVER);
  url.pathname = `/${NAME}`;
  raw = new pg.Client({ connectionString: url.href });
  await raw.connect();
  await migrate(raw);
  pool = new pg.Pool({ connectionString: url.href, max: 4 });
  // Dropping the database at the end ends connections the pool may still be closing.
  pool.on("error", () => {});

  await run(
    "INSERT INTO users (email, role, password_hash) VALUES ('approver@example.test', 'approver', 'x')",
  );
  ids.doc = await document("rules");
  ids.v1 = await publish(ids.doc, 1, 1);
  ids.v2 = await publish(ids.doc, 2, 10);
  for (const n of [0, 1, 2]) ids.s.push(await subscriber(`rules-${n}`));
  ids.notice = await notice(ids.doc, ids.v2, ids.s, ["email", "dashboard"]);
  await freeze(ids.notice);
  await run(
    `UPDATE deliveries SET status = 'sent', provider_message_id = 'msg-' || id, sent_at = $2, status_at = $2,
       transport = 'smtp' WHERE notice_id = $1 AND status = 'sending'`,
    [ids.notice, at(41)],
  );
  await run("UPDATE delivery_batches SET status = 'sent', sent_at = $2 WHERE notice_id = $1", [
    ids.notice,
    at(41),
  ]);
  // The provider's webhook: the first email was delivered. The first subscriber acknowledged.
  await run(
    "UPDATE deliveries SET status = 'delivered', status_at = $3 WHERE notice_id = $1 AND subscriber_id = $2 AND channel = 'email'",
    [ids.notice, ids.s[0], at(42)],
  );
  await run(
    "UPDATE deliveries SET status = 'delivered', status_at = $3 WHERE notice_id = $1 AND subscriber_id = $2 AND channel = 'dashboard'",
    [ids.notice, ids.s[0], at(42)],
  );
  await run(
    `INSERT INTO acknowledgements (subscriber_id, version_id, document_id, version_number, notice_id, channel)
     VALUES ($1, $2, $3, 2, $4, 'api')`,
    [ids.s[0], ids.v2, ids.doc, ids.notice],
  );

  // A second document whose one batch the provider refused: failed emails for the retry rule.
  const failedDoc = await document("rules-failed");
  await publish(failedDoc, 1, 1);
  const failedV2 = await publish(failedDoc, 2, 10);
  const failing = [await subscriber("rules-failed-0"), await subscriber("rules-failed-1")];
  ids.failedNotice = await notice(failedDoc, failedV2, failing, ["email"]);
  await freeze(ids.failedNotice);
  await run(
    "UPDATE deliveries SET status = 'failed', status_at = $2, last_error = 'refused (422)' WHERE notice_id = $1",
    [ids.failedNotice, at(41)],
  );
  await run(
    "UPDATE delivery_batches SET status = 'failed', last_error = 'refused (422)' WHERE notice_id = $1",
    [ids.failedNotice],
  );
});

afterAll(async () => {
  await pool?.end();
  await raw?.end();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
    await admin.end();
  }
});

/* ------------------------------------------------------------------------------------ the rules */

describe("published versions", () => {
  it("refuse any change but published → superseded", async () => {
    for (const statement of [
      `UPDATE versions SET content = '{"type":"doc","content":[]}' WHERE id = $1`,
      `UPDATE versions SET outline = '[{"id":"x"}]' WHERE id = $1`,
      "UPDATE versions SET html = '<p>Rewritten.</p>' WHERE id = $1",
      "UPDATE versions SET text = 'Rewritten.' WHERE id = $1",
      "UPDATE versions SET content_hash = 'x' WHERE id = $1",
      "UPDATE versions SET last_updated = '2020-01-01' WHERE id = $1",
      "UPDATE versions SET effective_at = '2020-01-01' WHERE id = $1",
      "UPDATE versions SET number = 7 WHERE id = $1",
      "UPDATE versions SET revision = 7 WHERE id = $1",
      "UPDATE versions SET material = false WHERE id = $1",
      "UPDATE versions SET summary = NULL, material = false WHERE id = $1",
      "UPDATE versions SET published_at = '2020-01-01T00:00:00.000Z' WHERE id = $1",
      "UPDATE versions SET state = 'draft' WHERE id = $1",
      "UPDATE versions SET approved_by_id = NULL WHERE id = $1",
      "UPDATE versions SET updated_at = '2020-01-01T00:00:00.000Z' WHERE id = $1",
      "UPDATE versions SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = $1",
      `UPDATE versions SET audit_head = '${"0".repeat(64)}' WHERE id = $1`,
      "UPDATE versions SET based_on_version_id = 1 WHERE id = $1",
      "UPDATE versions SET state = 'superseded', approved_by_id = NULL WHERE id = $1",
    ]) {
      await refused(statement, "published versions are immutable", [ids.v2]);
    }
    // The superseded first version is frozen as well.
    await refused("UPDATE versions SET text = 'x' WHERE id = $1", "published versions are immutable", [
      ids.v1,
    ]);
    expect(await one("SELECT state FROM versions WHERE id = $1", [ids.v1])).toEqual({ state: "superseded" });
    // Setting a column to what it already is changes nothing, so it passes.
    await run("UPDATE versions SET content = content, material = material WHERE id = $1", [ids.v2]);
  });

  it("cannot be deleted or truncated; a draft can", async () => {
    await refused("DELETE FROM versions WHERE id = $1", "published versions cannot be deleted", [ids.v2]);
    const error = await failure(raw, "TRUNCATE versions CASCADE");
    expect(error).toMatchObject({ code: "23R01" });
    const scrap = await draft(ids.doc, 3, "Scrapped.");
    await run("UPDATE versions SET text = 'Changed.', content = '{}' WHERE id = $1", [scrap.id]);
    await run("DELETE FROM versions WHERE id = $1", [scrap.id]);
    expect((await one("SELECT count(*)::int AS n FROM versions WHERE document_id = $1", [ids.doc])).n).toBe(
      2,
    );
  });

  it("are never inserted as published, nor published without their audit entry", async () => {
    await refused(
      `INSERT INTO versions (document_id, number, state, content, html, text, outline, content_hash, last_updated, effective_at, published_at)
       VALUES ($1, 9, 'published', '{}', '', '', '[]', 'h', '2020-01-01', '2020-01-01', '2020-01-01T00:00:00.000Z')`,
      "never inserted as published",
      [ids.doc],
    );
    const backdated = await draft(ids.doc, 3, "Backdated.");
    const publish = `UPDATE versions SET state = 'published', last_updated = '2020-01-01', effective_at = '2020-01-01',
      published_at = '2020-01-01T00:00:00.000Z', audit_head = $1 WHERE id = $2`;
    const recorded = "a version is published only with its audit entry, after every earlier publication";
    await refused(publish, recorded, [null, backdated.id]);
    await refused(publish, recorded, [await headHash(raw), backdated.id]);
    // Even with a made-up publication entry as the last one and version 2 superseded by hand, the
    // publication would predate version 2's.
    await run("BEGIN");
    const forged = await insertEntry(raw, await headHash(raw), {
      action: "version.published",
      documentId: ids.doc,
      versionId: backdated.id,
      details: { number: 3, contentHash: backdated.content_hash, publishedAt: "2020-01-01T00:00:00.000Z" },
    });
    await run("SAVEPOINT probe");
    await refused(publish, recorded, [forged.hash, backdated.id]); // version 2 is still published
    await run("ROLLBACK TO probe");
    await run("UPDATE versions SET state = 'superseded' WHERE id = $1", [ids.v2]);
    await refused(publish, recorded, [forged.hash, backdated.id]);
    await run("ROLLBACK");
    // An entry that names another number does not publish it either.
    await run("BEGIN");
    await run("UPDATE versions SET state = 'superseded' WHERE id = $1", [ids.v2]);
    const wrong = await insertEntry(raw, await headHash(raw), {
      action: "version.published",
      documentId: ids.doc,
      versionId: backdated.id,
      details: { number: 4, contentHash: backdated.content_hash, publishedAt: at(20) },
    });
    await refused(
      `UPDATE versions SET state = 'published', last_updated = '2026-01-20', effective_at = '2026-01-20',
        published_at = $1, audit_head = $2 WHERE id = $3`,
      recorded,
      [at(20), wrong.hash, backdated.id],
    );
    await run("ROLLBACK");
    await run("DELETE FROM versions WHERE id = $1", [backdated.id]);
  });

  it("never return from superseded, and a document has one open version at a time", async () => {
    await refused(
      "UPDATE versions SET state = 'published' WHERE id = $1",
      "published versions are immutable",
      [ids.v1],
    );
    await refused("UPDATE versions SET material = true, summary = 'x' WHERE id = $1", "immutable", [ids.v1]);
    const open = await draft(ids.doc, 3, "Open.");
    expect(
      await failure(
        raw,
        "INSERT INTO versions (document_id, number, content, html, text, outline, content_hash) VALUES ($1, 99, '{}', '', '', '[]', 'h')",
        [ids.doc],
      ),
    ).toMatchObject({ code: "23505", constraint: "versions_one_open_per_document" });
    await run("DELETE FROM versions WHERE id = $1", [open.id]);
  });

  it("are published, and the previous one superseded, as publishVersion does", async () => {
    const v3 = await publish(ids.doc, 3, 20);
    expect(await one("SELECT state FROM versions WHERE id = $1", [ids.v2])).toEqual({ state: "superseded" });
    expect(await one("SELECT state FROM versions WHERE id = $1", [v3])).toEqual({ state: "published" });
  });
});

describe("the audit log", () => {
  it("is append-only: no update, delete or truncate", async () => {
    await refused("UPDATE audit_log SET actor = 'someone' WHERE id = 1", "the audit log is append-only");
    await refused("DELETE FROM audit_log WHERE id = 1", "the audit log is append-only");
    await refused("DELETE FROM audit_log", "the audit log is append-only");
    await refused("TRUNCATE audit_log", "the audit log is append-only");
  });

  it("keeps a high-water mark of the ids it issued, which only grows", async () => {
    const mark = async () => (await one("SELECT issued FROM audit_log_head_mark")).issued as number;
    const last = (await one("SELECT max(id) AS id FROM audit_log")).id as number;
    expect(await mark()).toBe(last);
    // A rolled-back append leaves it as it was; a committed one raises it.
    await run("BEGIN");
    await insertEntry(raw, await headHash(raw));
    await run("ROLLBACK");
    expect(await mark()).toBe(last);
    const entry = await insertEntry(raw, await headHash(raw));
    expect(await mark()).toBe(entry.id);
    await refused("UPDATE audit_log_head_mark SET issued = issued - 1", "high-water mark only grows");
    await refused("DELETE FROM audit_log_head_mark", "high-water mark only grows");
    await refused("TRUNCATE audit_log_head_mark", "high-water mark only grows");
  });

  it("takes an entry only on top of its head, at the next id", async () => {
    const first = (await one("SELECT hash FROM audit_log ORDER BY id LIMIT 1")).hash as string;
    const error = await insertEntry(raw, first).then(
      () => null,
      (e: pg.DatabaseError) => e,
    );
    expect(error).toMatchObject({
      code: "23R01",
      message: "an audit entry continues the chain from its last entry",
    });
    await expect(insertEntry(raw, "f".repeat(64))).rejects.toThrow("continues the chain");

    // A rolled-back append leaves no hole in the ids (a sequence would).
    const last = (await one("SELECT max(id) AS id FROM audit_log")).id as number;
    await run("BEGIN");
    await insertEntry(raw, await headHash(raw));
    await run("ROLLBACK");
    const entry = await insertEntry(raw, await headHash(raw));
    expect(entry.id).toBe(last + 1);
    // An id given by the writer is ignored: the position is the head's plus one.
    const { rows } = await run(
      `INSERT INTO audit_log (id, at, actor, action, details, prev_hash, hash)
       VALUES (1000, $1, 'cli', 'test', '{}', $2, $3) RETURNING id`,
      [new Date().toISOString(), entry.hash, "e".repeat(64)],
    );
    expect(rows[0].id).toBe(last + 2);
  });

  it("never forks when two connections append on the same head at once", async () => {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query("BEGIN");
      await b.query("BEGIN");
      const head = await headHash(a);
      expect(await headHash(b)).toBe(head);
      await insertEntry(a, head, { action: "from-a" });
      const bPid = (await b.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      const fromB = insertEntry(b, head, { action: "from-b" }).then(
        () => null,
        (e: pg.DatabaseError) => e,
      );
      // b passed the head check (a's entry is not committed) and now waits on a's unique keys.
      for (let waited = 0; ; waited++) {
        const { rows } = await raw.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [
          bPid,
        ]);
        if (rows[0]?.wait_event_type === "Lock") break;
        if (waited > 200) throw new Error("the second append never waited for the first");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await a.query("COMMIT");
      expect(await fromB).toMatchObject({ code: "23505" });
      await b.query("ROLLBACK");
    } finally {
      a.release();
      b.release();
    }
    await expectOneChain();
  });

  it("queues writers that take the advisory lock, as the app does, and they all append", async () => {
    const before = (await one("SELECT count(*)::int AS n FROM audit_log")).n as number;
    const writer = async (name: string) => {
      for (let i = 0; i < 15; i++) {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query("SELECT pg_advisory_xact_lock(hashtext('redline.audit'))");
          await insertEntry(client, await headHash(client), { action: `${name}-${i}` });
          await client.query("COMMIT");
        } finally {
          client.release();
        }
      }
    };
    await Promise.all([writer("a"), writer("b"), writer("c")]);
    expect((await one("SELECT count(*)::int AS n FROM audit_log")).n).toBe(before + 45);
    await expectOneChain();
  });
});

/** Every entry continues the one before it, ids 1, 2, 3 … without a gap. */
async function expectOneChain() {
  const { rows } = await raw.query("SELECT id, prev_hash, hash FROM audit_log ORDER BY id");
  let prev = GENESIS;
  rows.forEach((row, index) => {
    expect(row.id).toBe(index + 1);
    expect(row.prev_hash).toBe(prev);
    prev = row.hash;
  });
}

describe("documents", () => {
  it("with published versions keep their address and are never deleted; the title may change", async () => {
    await refused(
      "DELETE FROM documents WHERE id = $1",
      "a document with published versions cannot be deleted",
      [ids.doc],
    );
    await refused("UPDATE documents SET slug = 'renamed' WHERE id = $1", "keeps its slug and language", [
      ids.doc,
    ]);
    await refused("UPDATE documents SET locale = 'fr' WHERE id = $1", "keeps its slug and language", [
      ids.doc,
    ]);
    await run("UPDATE documents SET title = 'Privacy Notice' WHERE id = $1", [ids.doc]);
    expect(await failure(raw, "TRUNCATE documents CASCADE")).toMatchObject({ code: "23R01" });
  });

  it("without one may be renamed and deleted", async () => {
    const id = await document("unpublished");
    await draft(id, 1);
    await run("UPDATE documents SET slug = 'unpublished-2', locale = 'de' WHERE id = $1", [id]);
    await run("DELETE FROM versions WHERE document_id = $1", [id]);
    await run("DELETE FROM documents WHERE id = $1", [id]);
  });
});

describe("notices and their batches", () => {
  it("are never changed or deleted, and created only for a version as it is published", async () => {
    await refused("DELETE FROM notices WHERE id = $1", "notices are proof of notice and cannot be deleted", [
      ids.notice,
    ]);
    expect(await failure(raw, "TRUNCATE notices CASCADE")).toMatchObject({ code: "23R01" });
    const changed = "notices are proof of notice and cannot be changed";
    await refused("UPDATE notices SET requires_ack = false WHERE id = $1", changed, [ids.notice]);
    await refused(`UPDATE notices SET channels = '["email"]' WHERE id = $1`, changed, [ids.notice]);
    await refused(`UPDATE notices SET audience = '{"group":"others"}' WHERE id = $1`, changed, [ids.notice]);
    await refused("UPDATE notices SET batch_count = 5 WHERE id = $1", changed, [ids.notice]);
    // The same audience written in another key order is the same jsonb: nothing changes.
    await run(`UPDATE notices SET audience = '{ "group" : "rules" }' WHERE id = $1`, [ids.notice]);
    await refused(
      `INSERT INTO notices (document_id, version_id, channels, created_by) VALUES ($1, $2, '["email"]', 'cli')`,
      "a notice is created for a version as it is published",
      [ids.doc, ids.v1],
    );
    const current = (
      await one("SELECT id FROM versions WHERE document_id = $1 AND state = 'published'", [ids.doc])
    ).id;
    await refused(
      `INSERT INTO notices (document_id, version_id, channels, batch_count, created_by) VALUES ($1, $2, '["email"]', 3, 'cli')`,
      "a notice is created for a version as it is published",
      [ids.doc, current],
    );
    await refused(
      "DELETE FROM delivery_batches WHERE notice_id = $1",
      "delivery batches are proof of notice and cannot be deleted",
      [ids.notice],
    );
    await refused("TRUNCATE delivery_batches", "delivery batches are proof of notice and cannot be deleted");
    expect(await one("SELECT batch_count FROM notices WHERE id = $1", [ids.notice])).toEqual({
      batch_count: 1,
    });
  });
});

describe("deliveries", () => {
  const deliveryOf = async (notice: number, condition: string) =>
    (
      await one(`SELECT id FROM deliveries WHERE notice_id = $1 AND ${condition} ORDER BY id LIMIT 1`, [
        notice,
      ])
    ).id as number;

  it("never move backwards, rewrite their outcome, change their address or go away", async () => {
    const delivered = await deliveryOf(ids.notice, "channel = 'email' AND status = 'delivered'");
    const sent = await deliveryOf(ids.notice, "channel = 'email' AND status = 'sent'");
    const failed = await deliveryOf(ids.failedNotice, "status = 'failed'");
    const backwards = "delivery statuses only move forward";
    await refused("UPDATE deliveries SET status = 'sent' WHERE id = $1", backwards, [delivered]);
    await refused("UPDATE deliveries SET status = 'pending' WHERE id = $1", backwards, [sent]);
    await refused("UPDATE deliveries SET status = 'skipped' WHERE id = $1", backwards, [sent]);
    // A failed email goes back to the outbox only with its batch (the retry below).
    await refused("UPDATE deliveries SET status = 'pending' WHERE id = $1", backwards, [failed]);
    const outcome = "a delivery's recorded outcome cannot be changed";
    await refused("UPDATE deliveries SET provider_message_id = 'forged' WHERE id = $1", outcome, [sent]);
    await refused("UPDATE deliveries SET sent_at = '2020-01-01T00:00:00.000Z' WHERE id = $1", outcome, [
      sent,
    ]);
    await refused("UPDATE deliveries SET transport = 'api' WHERE id = $1", outcome, [sent]);
    await refused("UPDATE deliveries SET status_at = '2020-01-01T00:00:00.000Z' WHERE id = $1", outcome, [
      delivered,
    ]);
    await refused("UPDATE deliveries SET recipient_email = 'someone@else.test' WHERE id = $1", outcome, [
      sent,
    ]);
    await refused("UPDATE deliveries SET last_error = 'made up' WHERE id = $1", outcome, [sent]);
    await refused(
      "UPDATE deliveries SET subscriber_id = $2 WHERE id = $1",
      "a delivery keeps its notice, subscriber, channel and batch",
      [sent, ids.s[2]],
    );
    await refused(
      "DELETE FROM deliveries WHERE id = $1",
      "deliveries are proof of notice and cannot be deleted",
      [sent],
    );
    await refused("TRUNCATE deliveries", "deliveries are proof of notice and cannot be deleted");
    await refused(
      `INSERT INTO deliveries (notice_id, subscriber_id, channel, status, status_at)
       VALUES ($1, $2, 'dashboard', 'delivered', '2020-01-01')`,
      "a delivery starts pending, without an outcome",
      [ids.notice, ids.s[2]],
    );
  });

  it("move forward on provider events: a delivered email may still bounce", async () => {
    const delivered = await deliveryOf(ids.notice, "channel = 'email' AND status = 'delivered'");
    await run("UPDATE deliveries SET status = 'bounced', status_at = $2 WHERE id = $1", [delivered, at(43)]);
    await refused(
      "UPDATE deliveries SET status = 'delivered' WHERE id = $1",
      "delivery statuses only move forward",
      [delivered],
    );
  });

  it("of a failed batch go back to the outbox once the approver's retry reopens it, and are sent", async () => {
    await run("BEGIN");
    await run(
      "UPDATE delivery_batches SET status = 'pending', frozen_at = NULL, attempts = 0 WHERE notice_id = $1",
      [ids.failedNotice],
    );
    await run(
      "UPDATE deliveries SET status = 'pending', status_at = $2 WHERE notice_id = $1 AND status = 'failed'",
      [ids.failedNotice, at(44)],
    );
    await run("COMMIT");
    await freeze(ids.failedNotice);
    await run(
      `UPDATE deliveries SET status = 'sent', provider_message_id = 'retry-' || id, sent_at = $2, status_at = $2,
         transport = 'smtp' WHERE notice_id = $1`,
      [ids.failedNotice, at(45)],
    );
    const { rows } = await run("SELECT status FROM deliveries WHERE notice_id = $1", [ids.failedNotice]);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent"]);
  });

  it("may have their copies and error texts blanked (erasure, retention)", async () => {
    await run(
      "UPDATE deliveries SET recipient_email = NULL, recipient_name = NULL WHERE subscriber_id = $1",
      [ids.s[1]],
    );
    await run(
      "UPDATE deliveries SET recipient_locale = NULL, last_error = NULL WHERE status NOT IN ('pending', 'sending')",
    );
    expect(
      (
        await one(
          "SELECT count(*)::int AS n FROM deliveries WHERE recipient_locale IS NOT NULL AND status <> 'pending'",
        )
      ).n,
    ).toBe(0);
  });
});

describe("acknowledgements", () => {
  it("name a published version as it is, and are never changed or deleted", async () => {
    await refused("DELETE FROM acknowledgements", "acknowledgements are proof and cannot be deleted");
    await refused("TRUNCATE acknowledgements", "acknowledgements are proof and cannot be deleted");
    await refused(
      "UPDATE acknowledgements SET acknowledged_at = '2020-01-01T00:00:00.000Z'",
      "acknowledgements are proof and cannot be changed",
    );
    const wrongNumber = `INSERT INTO acknowledgements (subscriber_id, version_id, document_id, version_number, channel)
      VALUES ($1, $2, $3, $4, 'api')`;
    const names = "an acknowledgement names a published version as it is";
    await refused(wrongNumber, names, [ids.s[1], ids.v2, ids.doc, 7]);
    const scrap = await draft(ids.doc, 9, "Not published.");
    await refused(wrongNumber, names, [ids.s[1], scrap.id, ids.doc, 9]);
    await run("DELETE FROM versions WHERE id = $1", [scrap.id]);
    await run(wrongNumber, [ids.s[1], ids.v2, ids.doc, 2]);
  });
});

describe("subscribers", () => {
  it("who were sent notices are erased, never deleted, and keep their externalId", async () => {
    await refused(
      "DELETE FROM subscribers WHERE id = $1",
      "a subscriber who was sent notices is erased, never deleted",
      [ids.s[2]],
    );
    expect(await failure(raw, "TRUNCATE subscribers CASCADE")).toMatchObject({ code: "23R01" });
    await refused(
      "UPDATE subscribers SET external_id = 'someone-else' WHERE id = $1",
      "a subscriber keeps its externalId",
      [ids.s[2]],
    );
    await run(
      "UPDATE subscribers SET email = NULL, name = NULL, attributes = NULL, status = 'erased', erased_at = $2 WHERE id = $1",
      [ids.s[2], at(50)],
    );
    await run("UPDATE subscribers SET locale = 'de' WHERE id = $1", [ids.s[1]]);
  });

  it("without proof may be deleted (their externalId is fixed all the same)", async () => {
    const id = await subscriber("never-notified");
    await refused("UPDATE subscribers SET external_id = 'renamed' WHERE id = $1", "keeps its externalId", [
      id,
    ]);
    await run("DELETE FROM subscribers WHERE id = $1", [id]);
  });
});

/* ----------------------------------------------------------------------------- inspect and restore */

describe("a protective rule dropped, replaced or disabled by hand", () => {
  it("is every one of the migration's rules, found in place after migrating", async () => {
    const expected = expectedRules(FOLDER);
    // 0010 adds branding's public-state trigger, 0011 the reminders' rule
    // (notices_reminders_of_their_notice).
    expect(expected.functions.size).toBe(30);
    expect(expected.triggers.size).toBe(42);
    expect(await inspectTriggers(raw, FOLDER)).toEqual([]);
    expect(await restoreTriggers(pool, FOLDER)).toEqual([]);
  });

  it("is reported, restored by the next restore, and refuses again", async () => {
    await run("DROP TRIGGER acknowledgements_undeletable ON acknowledgements");
    await run(
      "CREATE OR REPLACE FUNCTION deliveries_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$",
    );
    await run("ALTER TABLE notices DISABLE TRIGGER notices_undeletable");
    await run(
      "DROP TRIGGER deliveries_outcome_fixed ON deliveries; CREATE TRIGGER deliveries_outcome_fixed BEFORE UPDATE ON deliveries FOR EACH ROW WHEN (false) EXECUTE FUNCTION deliveries_outcome_fixed()",
    );
    await run("ALTER FUNCTION audit_log_no_update() SET search_path = pg_temp");
    await run("DROP FUNCTION subscribers_with_proof_kept() CASCADE");
    await run(
      "CREATE FUNCTION hide() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END; $$; CREATE TRIGGER hide_acknowledgements BEFORE INSERT ON acknowledgements FOR EACH ROW EXECUTE FUNCTION hide()",
    );
    expect(await inspectTriggers(raw, FOLDER)).toEqual([
      { name: "audit_log_no_update", problem: "altered" },
      { name: "deliveries_forward_only", problem: "altered" },
      { name: "subscribers_with_proof_kept", problem: "missing" },
      { name: "notices_undeletable", problem: "disabled" },
      { name: "deliveries_outcome_fixed", problem: "altered" },
      { name: "acknowledgements_undeletable", problem: "missing" },
      { name: "subscribers_with_proof_not_truncated", problem: "missing" },
      { name: "hide_acknowledgements", problem: "unexpected" },
    ]);

    const repaired = await restoreTriggers(pool, FOLDER);
    expect(repaired.map((p) => p.name)).toEqual([
      "audit_log_no_update",
      "deliveries_forward_only",
      "subscribers_with_proof_kept",
      "notices_undeletable",
      "deliveries_outcome_fixed",
      "acknowledgements_undeletable",
      "subscribers_with_proof_not_truncated",
    ]);
    expect(await inspectTriggers(raw, FOLDER)).toEqual([
      { name: "hide_acknowledgements", problem: "unexpected" },
    ]);
    expect(await restoreTriggers(pool, FOLDER)).toEqual([]);

    await refused("DELETE FROM acknowledgements", "acknowledgements are proof and cannot be deleted");
    await refused("DELETE FROM notices", "notices are proof of notice and cannot be deleted");
    await refused("UPDATE audit_log SET actor = 'x'", "the audit log is append-only");
    await refused("DELETE FROM subscribers WHERE id = $1", "erased, never deleted", [ids.s[0]]);
    const sent = (await one("SELECT id FROM deliveries WHERE status = 'sent' LIMIT 1")).id;
    await refused(
      "UPDATE deliveries SET status = 'pending' WHERE id = $1",
      "delivery statuses only move forward",
      [sent],
    );
    await refused("UPDATE deliveries SET provider_message_id = 'forged' WHERE id = $1", "recorded outcome", [
      sent,
    ]);
    await run("DROP TRIGGER hide_acknowledgements ON acknowledgements; DROP FUNCTION hide()");
  });

  it("is restored once when several processes restore at the same time", async () => {
    await run("DROP TRIGGER deliveries_undeletable ON deliveries");
    const [a, b] = await Promise.all([restoreTriggers(pool, FOLDER), restoreTriggers(pool, FOLDER)]);
    expect([...a, ...b]).toEqual([{ name: "deliveries_undeletable", problem: "missing" }]);
    expect(await inspectTriggers(pool, FOLDER)).toEqual([]);
  });
});

/**
 * Proof tables are guarded by the database (ADR 0011): raw SQL on the migrated file — through a
 * plain better-sqlite3 connection, foreign keys off, as the findings were made — cannot delete or
 * rewrite acknowledgements, notices, delivery outcomes, documents with published versions or
 * published rows, while everything Redline itself does (sending, webhooks, acknowledgements,
 * erasure, retention, a retry of a failed batch, superseding) keeps working. A dropped trigger comes
 * back with the next migrate run.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import { databaseRuleProblems, verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { applyProviderEvent } from "../../app/models/deliveries.server";
import { saveDraft } from "../../app/models/drafts.server";
import { retryFailedDeliveries } from "../../app/models/notices.server";
import { pseudonymiseDeliveryLogs } from "../../app/models/retention.server";
import { eraseSubscriber } from "../../app/models/subscribers.server";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { migrate } from "../../app/setup.server";
import { databaseFile } from "../../db/client";
import { TEST_ENGINE } from "../support/databases";
import { rawRows } from "../support/raw-sql";
import { addSubscribers, emailTo, publishFirst, publishMaterial, testDispatcher } from "./notify-support";
import { noticeOf } from "./proof-support";

let raw: Database.Database;
let mail: MailServer;
let published: { v1: number; v2: number; documentId: number };
let noticeId: number;
let failedNoticeId: number;

type Row = Record<string, unknown>;
const one = (query: string, ...params: unknown[]) => raw.prepare(query).get(...params) as Row;
/** One row on either engine (the blocks that run on both). */
const read = async (query: string, ...params: unknown[]) => (await rawRows<Row>(query, params))[0];

beforeAll(async () => {
  mail = await startMailServer();
  const v1 = await publishFirst("rules");
  await addSubscribers("rules", 3);
  const v2 = await publishMaterial("rules", {
    channels: ["email", "dashboard"],
    audience: { group: "rules" },
    requireAck: true,
  });
  published = { v1: v1.id, v2: v2.id, documentId: v2.documentId };
  noticeId = await noticeOf(v2.id);
  await testDispatcher(mail).drain();
  const sent = await rawRows<{ id: number; provider_message_id: string }>(
    "SELECT id, provider_message_id FROM deliveries WHERE notice_id = ? AND channel = 'email' ORDER BY id",
    [noticeId],
  );
  const at = new Date().toISOString();
  await applyProviderEvent({
    svixId: "evt-1",
    type: "email.delivered",
    providerMessageId: sent[0].provider_message_id,
    deliveryId: sent[0].id,
    at,
  });
  await acknowledgeNotice({ externalId: "rules-0", noticeId, channel: "api" });

  // A second document whose one batch the provider refuses: failed emails for the retry rule.
  await publishFirst("rules-failed");
  await addSubscribers("rules-failed", 2);
  const failed = await publishMaterial("rules-failed", emailTo("rules-failed"));
  failedNoticeId = await noticeOf(failed.id);
  mail.injectFaults({ kind: "status", status: 422, times: 1 });
  await testDispatcher(mail).drain();

  // Someone with the file: a separate connection, foreign keys off (the sqlite3 shell's default).
  if (TEST_ENGINE === "sqlite") {
    raw = new Database(databaseFile(process.env.DATABASE_URL!));
    raw.pragma("foreign_keys = OFF");
  }
});

afterAll(async () => {
  raw?.close();
  await mail?.close();
});

const refused = (statement: string, message: string | RegExp, ...params: unknown[]) =>
  expect(() => raw.prepare(statement).run(...params)).toThrow(message);

// SQLite only: its triggers, through a connection of the file's own; the PostgreSQL twins of these
// rules are tested in db/pg/rules.test.ts and test/integration/pg-rules.test.ts.
describe.skipIf(TEST_ENGINE === "postgres")("raw SQL against the proof", () => {
  it("cannot delete or change an acknowledgement", () => {
    const ack = one("SELECT id FROM acknowledgements LIMIT 1");
    refused(
      "DELETE FROM acknowledgements WHERE id = ?",
      "acknowledgements are proof and cannot be deleted",
      ack.id,
    );
    refused(
      "UPDATE acknowledgements SET acknowledged_at = '2020-01-01T00:00:00.000Z' WHERE id = ?",
      "acknowledgements are proof and cannot be changed",
      ack.id,
    );
    refused(
      "INSERT INTO acknowledgements (subscriber_id, version_id, document_id, version_number, channel) VALUES (2, ?, ?, 7, 'api')",
      "an acknowledgement names a published version as it is",
      published.v2,
      published.documentId,
    );
  });

  it("cannot delete or change a notice, or create one for a version that is not being published", () => {
    refused(
      "DELETE FROM notices WHERE id = ?",
      "notices are proof of notice and cannot be deleted",
      noticeId,
    );
    refused(
      "UPDATE notices SET requires_ack = 0 WHERE id = ?",
      "notices are proof of notice and cannot be changed",
      noticeId,
    );
    refused(
      "UPDATE notices SET batch_count = 5 WHERE id = ?",
      "notices are proof of notice and cannot be changed",
      noticeId,
    );
    refused(
      "INSERT INTO notices (document_id, version_id, channels, created_by) VALUES (?, ?, '[\"email\"]', 'cli')",
      "a notice is created for a version as it is published",
      published.documentId,
      published.v1,
    );
    refused(
      "DELETE FROM delivery_batches WHERE notice_id = ?",
      "delivery batches are proof of notice and cannot be deleted",
      noticeId,
    );
  });

  it("cannot move a delivery backwards, rewrite its outcome or delete it", () => {
    const delivered = one(
      "SELECT id FROM deliveries WHERE notice_id = ? AND channel = 'email' AND status = 'delivered'",
      noticeId,
    );
    const sent = one(
      "SELECT id FROM deliveries WHERE notice_id = ? AND channel = 'email' AND status = 'sent'",
      noticeId,
    );
    const failed = one("SELECT id FROM deliveries WHERE notice_id = ? AND status = 'failed'", failedNoticeId);
    const backwards = "delivery statuses only move forward";
    refused("UPDATE deliveries SET status = 'sent' WHERE id = ?", backwards, delivered.id);
    refused("UPDATE deliveries SET status = 'pending' WHERE id = ?", backwards, sent.id);
    refused("UPDATE deliveries SET status = 'skipped' WHERE id = ?", backwards, sent.id);
    // A failed email goes back to the outbox only with its batch (the retry below).
    refused("UPDATE deliveries SET status = 'pending' WHERE id = ?", backwards, failed.id);
    const outcome = "a delivery's recorded outcome cannot be changed";
    refused("UPDATE deliveries SET provider_message_id = 'forged' WHERE id = ?", outcome, sent.id);
    refused("UPDATE deliveries SET sent_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", outcome, sent.id);
    refused(
      "UPDATE deliveries SET status_at = '2020-01-01T00:00:00.000Z' WHERE id = ?",
      outcome,
      delivered.id,
    );
    refused("UPDATE deliveries SET recipient_email = 'someone@else.test' WHERE id = ?", outcome, sent.id);
    refused(
      "UPDATE deliveries SET subscriber_id = 1 WHERE id = ?",
      "a delivery keeps its notice, subscriber, channel and batch",
      sent.id,
    );
    refused(
      "DELETE FROM deliveries WHERE id = ?",
      "deliveries are proof of notice and cannot be deleted",
      sent.id,
    );
    refused(
      "INSERT INTO deliveries (notice_id, subscriber_id, channel, status, status_at) VALUES (?, 1, 'dashboard', 'delivered', '2020-01-01')",
      "a delivery starts pending, without an outcome",
      noticeId,
    );
  });

  it("cannot delete or rename a document with published versions", () => {
    const id = published.documentId;
    refused("DELETE FROM documents WHERE id = ?", "a document with published versions cannot be deleted", id);
    refused(
      "UPDATE documents SET slug = 'renamed' WHERE id = ?",
      "a document with published versions keeps its slug and language",
      id,
    );
    refused(
      "UPDATE documents SET locale = 'fr' WHERE id = ?",
      "a document with published versions keeps its slug and language",
      id,
    );
    expect(one("SELECT count(*) AS n FROM versions WHERE document_id = ?", id).n).toBe(2);
  });

  it("cannot insert a backdated published version, or publish a draft without its audit entry", async () => {
    refused(
      `INSERT INTO versions (document_id, number, state, content, html, text, outline, content_hash, last_updated, effective_at, published_at)
       VALUES (?, 9, 'published', '{}', '', '', '[]', 'h', '2020-01-01', '2020-01-01', '2020-01-01T00:00:00.000Z')`,
      "never inserted as published",
      published.documentId,
    );
    const { version: draft } = await saveDraft({
      slug: "rules",
      title: "Privacy Policy",
      content: {
        type: "doc",
        content: [{ type: "paragraph", content: [{ type: "text", text: "Backdated." }] }],
      },
      actor: { kind: "cli" },
    });
    const publish = `UPDATE versions SET state = 'published', last_updated = '2020-01-01', effective_at = '2020-01-01',
      published_at = '2020-01-01T00:00:00.000Z', audit_head = ? WHERE id = ?`;
    const recorded = "a version is published only with its audit entry, after every earlier publication";
    refused(publish, recorded, null, draft.id);
    const head = one("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").hash;
    refused(publish, recorded, head, draft.id);
    // Even with a made-up publication entry as the last one (which `audit verify` would flag as
    // unsigned) and version 2 superseded by hand, the publication would predate version 2's.
    raw.exec("SAVEPOINT probe");
    const forged = "f".repeat(64);
    raw
      .prepare(
        `INSERT INTO audit_log (at, actor, action, document_id, version_id, details, prev_hash, hash)
       VALUES ('2020-01-01T00:00:00.000Z', 'cli', 'version.published', ?, ?, ?, ?, ?)`,
      )
      .run(
        published.documentId,
        draft.id,
        JSON.stringify({
          number: draft.number,
          contentHash: draft.contentHash,
          publishedAt: "2020-01-01T00:00:00.000Z",
        }),
        head,
        forged,
      );
    raw.prepare("UPDATE versions SET state = 'superseded' WHERE id = ?").run(published.v2);
    refused(publish, recorded, forged, draft.id);
    raw.exec("ROLLBACK TO probe; RELEASE probe");
  });

  it("cannot change the approval, times, origin or chain head of a published version", () => {
    for (const statement of [
      "UPDATE versions SET approved_by_id = 1 WHERE id = ?",
      "UPDATE versions SET updated_at = '2020-01-01T00:00:00.000Z' WHERE id = ?",
      "UPDATE versions SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?",
      `UPDATE versions SET audit_head = '${"0".repeat(64)}' WHERE id = ?`,
      "UPDATE versions SET based_on_version_id = 1 WHERE id = ?",
      "UPDATE versions SET state = 'superseded', approved_by_id = 1 WHERE id = ?",
    ]) {
      refused(statement, "published versions are immutable", published.v2);
    }
  });

  it("cannot delete a subscriber who was sent notices, or file their proof under another externalId", () => {
    const subscriber = one("SELECT id FROM subscribers WHERE external_id = 'rules-1'");
    refused(
      "DELETE FROM subscribers WHERE id = ?",
      "a subscriber who was sent notices is erased, never deleted",
      subscriber.id,
    );
    refused(
      "UPDATE subscribers SET external_id = 'someone-else' WHERE id = ?",
      "a subscriber keeps its externalId",
      subscriber.id,
    );
  });
});

describe("what Redline itself writes", () => {
  it("still erases a subscriber, keeping their proof rows", async () => {
    await eraseSubscriber({ externalId: "rules-2", actor: { kind: "cli" } });
    const row = await read("SELECT status, email FROM subscribers WHERE external_id = 'rules-2'");
    expect(row).toEqual({ status: "erased", email: null });
    expect(
      (
        await read(
          "SELECT CAST(count(*) AS INTEGER) AS n FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.external_id = 'rules-2'",
        )
      ).n,
    ).toBe(2);
  });

  it("still moves deliveries forward on provider events, and never back", async () => {
    const delivered = await read(
      "SELECT id, provider_message_id FROM deliveries WHERE notice_id = ? AND status = 'delivered' AND channel = 'email'",
      noticeId,
    );
    const at = new Date().toISOString();
    expect(
      await applyProviderEvent({
        svixId: "evt-2",
        type: "email.bounced",
        providerMessageId: delivered.provider_message_id as string,
        deliveryId: null,
        bounceType: "Permanent",
        at,
      }),
    ).toBe("applied");
    expect((await read("SELECT status FROM deliveries WHERE id = ?", delivered.id)).status).toBe("bounced");
    await applyProviderEvent({
      svixId: "evt-3",
      type: "email.delivered",
      providerMessageId: delivered.provider_message_id as string,
      deliveryId: null,
      at,
    });
    expect((await read("SELECT status FROM deliveries WHERE id = ?", delivered.id)).status).toBe("bounced");
  });

  it("still puts a failed batch back in the outbox on a manual retry, and sends it", async () => {
    expect(await retryFailedDeliveries({ noticeId: failedNoticeId, actor: { kind: "cli" } })).toEqual({
      batches: 1,
      deliveries: 2,
    });
    await testDispatcher(mail).drain();
    const statuses = (
      await rawRows<{ status: string }>("SELECT status FROM deliveries WHERE notice_id = ?", [failedNoticeId])
    ).map((row) => row.status);
    expect(statuses).toEqual(["sent", "sent"]);
  });

  it("still pseudonymises delivery logs past their retention", async () => {
    const result = await pseudonymiseDeliveryLogs({ days: 1, now: Date.now() + 3 * 86_400_000 });
    expect(result.deliveries).toBeGreaterThan(0);
    expect(
      (
        await read(
          "SELECT CAST(count(*) AS INTEGER) AS n FROM deliveries WHERE recipient_locale IS NOT NULL AND status NOT IN ('pending', 'sending')",
        )
      ).n,
    ).toBe(0);
  });

  it("still supersedes the current version when the next one is published", async () => {
    await publishMaterial("rules", { channels: ["dashboard"], audience: { group: "rules" } });
    expect((await read("SELECT state FROM versions WHERE id = ?", published.v2)).state).toBe("superseded");
  });

  it("leaves a log that verifies, proof tables included", async () => {
    expect((await verifyAuditLog({ proof: true })).problems).toEqual([]);
    expect(await databaseRuleProblems()).toEqual([]);
  });
});

// SQLite only, as above (PostgreSQL: db/pg/rules.test.ts).
describe.skipIf(TEST_ENGINE === "postgres")("a protective trigger dropped or altered by hand", () => {
  it("is restored by the next migrate run, which records that in the audit log", async () => {
    raw.exec("DROP TRIGGER acknowledgements_undeletable");
    raw.exec("DROP TRIGGER deliveries_forward_only");
    raw.exec("CREATE TRIGGER deliveries_forward_only BEFORE UPDATE ON deliveries BEGIN SELECT 1; END");
    expect((await databaseRuleProblems()).map((p) => p.message)).toEqual([
      "protective trigger deliveries_forward_only is altered; the next start or command restores it",
      "protective trigger acknowledgements_undeletable is missing; the next start or command restores it",
    ]);

    const report = await migrate();
    expect(report.restoredTriggers).toEqual([
      { name: "deliveries_forward_only", problem: "altered" },
      { name: "acknowledgements_undeletable", problem: "missing" },
    ]);
    refused("DELETE FROM acknowledgements", "acknowledgements are proof and cannot be deleted");
    const entry = await read("SELECT action, details FROM audit_log ORDER BY id DESC LIMIT 1");
    expect(entry.action).toBe("database.rules-restored");
    expect(JSON.parse(entry.details as string).triggers).toHaveLength(2);
    expect((await migrate()).restoredTriggers).toEqual([]);
    expect(await databaseRuleProblems()).toEqual([]);
  });

  it("is reported when someone adds a trigger of their own, and rows orphaned with foreign keys off", async () => {
    raw.exec(
      "CREATE TRIGGER hide_acknowledgements BEFORE INSERT ON acknowledgements BEGIN SELECT RAISE(IGNORE); END",
    );
    raw
      .prepare("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('orphan', 999, '2030-01-01')")
      .run();
    // Redline's own connection enforces foreign keys.
    expect(() =>
      db()
        .$client.prepare(
          "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('orphan-2', 999, '2030-01-01')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
    expect((await databaseRuleProblems()).map((p) => p.message)).toEqual([
      "trigger hide_acknowledgements is not one of Redline's: it may hide or rewrite writes",
      expect.stringMatching(/^sessions row \d+ refers to a missing users row$/),
    ]);
    raw.exec("DROP TRIGGER hide_acknowledgements; DELETE FROM sessions WHERE token_hash = 'orphan'");
  });
});

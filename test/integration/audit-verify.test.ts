/**
 * `redline audit verify [--head <hash>]` against someone who has the database file but not the
 * audit key (ADR 0011): every scenario starts from a copy of one real log — publications, a notice
 * with email and dashboard deliveries, a provider event, an acknowledgement — tampers with it through
 * a raw connection, then runs the command line as an operator would.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate as applyMigrations } from "drizzle-orm/better-sqlite3/migrator";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AuditFacts,
  auditEntryHash,
  auditEntryMac,
  auditKey,
  GENESIS_HASH,
  range,
} from "../../app/core/audit";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import { recentAuditVerification, verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { applyProviderEvent } from "../../app/models/deliveries.server";
import { startMailServer } from "../../app/notify/mail-server.server";
import { migrationsFolder } from "../../db/client";
import { jsonValue, row } from "../../db/dialect";
import { TEST_ENGINE } from "../support/databases";
import { testDirectory } from "../support/fresh-database";
import { asOwner } from "../support/raw-sql";
import { redline } from "../support/server";
import { addSubscribers, publishFirst, publishMaterial, testDispatcher } from "./notify-support";
import { noticeOf } from "./proof-support";

let pristine: string;
let publishedHead: string;
let lastHead: string;
let lastId: number;
let ackId: number;
let copies = 0;

beforeAll(async () => {
  await publishFirst("verify");
  await addSubscribers("verify", 2);
  const v2 = await publishMaterial("verify", {
    channels: ["email", "dashboard"],
    audience: { group: "verify" },
    requireAck: true,
  });
  publishedHead = v2.auditHead!;
  const mail = await startMailServer();
  await testDispatcher(mail).drain();
  await mail.close();
  const sent = (await row<{ id: number; provider_message_id: string }>(
    db(),
    sql`SELECT id, provider_message_id FROM deliveries WHERE status = 'sent' ORDER BY id LIMIT 1`,
  ))!;
  await applyProviderEvent({
    svixId: "evt-v",
    type: "email.delivered",
    providerMessageId: sent.provider_message_id,
    deliveryId: sent.id,
    at: new Date().toISOString(),
  });
  await acknowledgeNotice({ externalId: "verify-1", noticeId: await noticeOf(v2.id), channel: "api" });
  const last = (await row<{ id: number; hash: string }>(
    db(),
    sql`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`,
  ))!;
  lastHead = last.hash;
  lastId = last.id;
  ackId = (await row<{ id: number }>(db(), sql`SELECT id FROM acknowledgements`))!.id;
  pristine = join(testDirectory, "pristine.db");
  if (TEST_ENGINE === "sqlite") await db().$client.backup(pristine);
});

/** A fresh copy of the real log, optionally tampered with through a raw connection (foreign keys off). */
function copy(tamper?: (sqlite: Database.Database) => void): string {
  const file = join(testDirectory, `copy-${++copies}.db`);
  copyFileSync(pristine, file);
  if (tamper) {
    const sqlite = new Database(file);
    sqlite.pragma("foreign_keys = OFF");
    tamper(sqlite);
    sqlite.close();
  }
  return file;
}

const verify = (file: string, ...args: string[]) =>
  redline(["audit", "verify", ...args], { DATABASE_URL: `file:${file}`, LOG_LEVEL: "warn" });

/** What a forger without the key can do: drop the triggers that stand in the way. */
function dropTriggers(sqlite: Database.Database, table?: string) {
  const names = sqlite
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'${table ? " AND tbl_name = ?" : ""}`)
    .pluck()
    .all(...(table ? [table] : [])) as string[];
  for (const name of names) sqlite.exec(`DROP TRIGGER "${name}"`);
}

type EntryRow = AuditFacts & { id: number; details: Record<string, unknown> };

/**
 * Edits entry `from` and recomputes the hash of it and of every later entry, so that the chain
 * links up again; signatures are kept as they were, stripped, or made with a key of the forger's own.
 */
function rechain(
  sqlite: Database.Database,
  from: number,
  edit: (details: Record<string, unknown>) => Record<string, unknown>,
  signatures: "stale" | "stripped" | "own-key" = "stale",
) {
  dropTriggers(sqlite, "audit_log");
  const rows = (sqlite.prepare("SELECT * FROM audit_log ORDER BY id").all() as Record<string, unknown>[]).map(
    (r): EntryRow => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      documentId: r.document_id as number | null,
      versionId: r.version_id as number | null,
      details: JSON.parse(r.details as string),
    }),
  );
  const own = auditKey("forger".repeat(8));
  const update = sqlite.prepare(
    "UPDATE audit_log SET details = ?, prev_hash = ?, hash = ?, key_id = ?, mac = ? WHERE id = ?",
  );
  let prevHash = GENESIS_HASH;
  for (const row of rows) {
    const details = row.id === from ? edit(row.details) : row.details;
    const hash = auditEntryHash(prevHash, { ...row, details });
    if (row.id >= from || signatures === "stripped") {
      const stored = sqlite.prepare("SELECT key_id, mac FROM audit_log WHERE id = ?").get(row.id) as {
        key_id: string;
        mac: string;
      };
      const [keyId, mac] =
        signatures === "stripped"
          ? [null, null]
          : signatures === "own-key"
            ? [own.id, auditEntryMac(own, hash)]
            : [stored.key_id, stored.mac];
      update.run(JSON.stringify(details), prevHash, hash, keyId, mac, row.id);
    }
    prevHash = hash;
  }
}

// The same checks on whichever engine the suite runs on, in process, on the test's own database:
// tampered with as its owner could (test/support/raw-sql.ts), then put back.
describe("audit verification on either engine", () => {
  it("passes the untouched log with its proof", async () => {
    const result = await verifyAuditLog({ proof: true });
    expect(result.problems).toEqual([]);
    expect(result.entries).toBe(lastId);
    expect(result.head).toEqual({ id: lastId, hash: lastHead });
  });

  it("reuses the audit page's verification until the log changes, even by an edit around Redline", async () => {
    const first = await recentAuditVerification();
    expect(first.break).toBeNull();
    expect((await recentAuditVerification()).checkedAt).toBe(first.checkedAt);
    const stored = (await row<{ details: unknown }>(db(), sql`SELECT details FROM audit_log WHERE id = 1`))!;
    const original = typeof stored.details === "string" ? stored.details : JSON.stringify(stored.details);
    const update = "UPDATE audit_log SET details = ? WHERE id = 1";
    await asOwner(update, [JSON.stringify({ ...jsonValue<object>(stored.details), forged: true })], {
      triggers: ["audit_log_no_update"],
    });
    // PostgreSQL's table statistics reach other sessions shortly after the writer's commit.
    let seen = await recentAuditVerification();
    for (let tries = 0; seen.checkedAt === first.checkedAt && tries < 30; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await recentAuditVerification();
    }
    expect(seen.break).toEqual({ id: 1, reason: "hash-mismatch" });
    await asOwner(update, [original], { triggers: ["audit_log_no_update"] });
  });

  it("names proof rows that disagree with their entries", async () => {
    const update = "UPDATE acknowledgements SET acknowledged_at = ? WHERE id = ?";
    const original = (await row<{ at: string }>(
      db(),
      sql`SELECT acknowledged_at AS at FROM acknowledgements WHERE id = ${ackId}`,
    ))!.at;
    await asOwner(update, ["2020-01-01T00:00:00.000Z", ackId], { tables: ["acknowledgements"] });
    await asOwner("UPDATE versions SET summary = 'Nothing to see.' WHERE number = 2", [], {
      tables: ["versions"],
    });
    const messages = (await verifyAuditLog({ proof: true })).problems.map((problem) => problem.message);
    expect(messages).toContain(`acknowledgement ${ackId} differs from its entry ${lastId}: time`);
    expect(messages).toContainEqual(
      expect.stringMatching(/^version 2 \(id \d+\) differs from its publication entry \d+: summary$/),
    );
    await asOwner(update, [original, ackId]);
  });

  it("detects the last entries deleted, by the ids issued and by the proof rows left without entries", async () => {
    await asOwner("DELETE FROM audit_log WHERE id > ?", [lastId - 2], { tables: ["audit_log"] });
    const result = await verifyAuditLog({ proof: true });
    expect(result.entries).toBe(lastId - 2);
    expect(result.problems).toContainEqual({
      kind: "truncated",
      entry: lastId - 1,
      message: `${range(lastId - 1, lastId)} removed from the end of the log (ids up to ${lastId} were issued)`,
    });
    expect(result.problems.map((problem) => problem.message)).toContain(
      `acknowledgement ${ackId} has no notice.acknowledged entry`,
    );
  });
});

// Each scenario runs the real command line, once or a few times: slow on a busy machine. SQLite
// only: each works on a copy of the database file, tampered with through better-sqlite3 as someone
// holding the file would (the checks themselves run on PostgreSQL in the block above).
describe.skipIf(TEST_ENGINE === "postgres")("redline audit verify", { timeout: 120_000 }, () => {
  it("passes an untouched log, says it is signed and prints the head to keep", async () => {
    const result = await verify(copy());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`audit log intact: ${lastId} entries, all signed`);
    expect(result.stdout).toContain(
      "published versions, notices, deliveries and acknowledgements agree with their entries",
    );
    expect(result.stdout).toContain(`head: ${lastHead} (entry ${lastId})`);
  });

  it("finds a head published with a version, in its place", async () => {
    const result = await verify(copy(), "--head", publishedHead);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/saved head found at entry \d+; the chain is intact from there/);
  });

  it("refuses a head that is not a hash", async () => {
    const result = await verify(copy(), "--head", "not-a-hash");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("64 lowercase hex digits");
  });

  it("reports protective triggers dropped by hand, restores them, and records that", async () => {
    const file = copy((sqlite) => dropTriggers(sqlite));
    const first = await verify(file);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(
      "✗ protective trigger audit_log_no_delete was missing; it has been restored now",
    );
    expect(first.stdout).toContain(
      "✗ protective trigger deliveries_forward_only was missing; it has been restored now",
    );
    expect(first.stderr).toMatch(/^redline: restored protective database triggers/m);
    const again = await verify(file);
    expect(again.code, again.stdout).toBe(0);
    const sqlite = new Database(file, { readonly: true });
    expect(sqlite.prepare("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").pluck().get()).toBe(
      "database.rules-restored",
    );
    sqlite.close();
  });

  it("detects the last entries deleted: by the sequence, by the proof rows left without entries, and by a saved head", async () => {
    const cut = (sqlite: Database.Database) => {
      dropTriggers(sqlite, "audit_log");
      sqlite.prepare("DELETE FROM audit_log WHERE id > ?").run(lastId - 2);
    };
    const result = await verify(copy(cut));
    expect(result.code).toBe(1);
    // (The command's own restoring of the dropped triggers appends an entry after the cut: a gap.)
    expect(result.stderr).toContain(`redline: entries ${lastId - 1}–${lastId} were removed from the log`);
    expect(result.stdout).toContain(`✗ acknowledgement ${ackId} has no notice.acknowledged entry`);

    // Covering the cut in sqlite_sequence too still leaves the acknowledgement without its entry…
    const covered = copy((sqlite) => {
      cut(sqlite);
      sqlite.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'").run(lastId - 2);
    });
    const quiet = await verify(covered);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).not.toContain("were removed");
    expect(quiet.stdout).toContain(`✗ acknowledgement ${ackId} has no notice.acknowledged entry`);
    // …and whoever kept the head sees at once that it is gone.
    const withHead = await verify(covered, "--head", lastHead);
    expect(withHead.code).toBe(1);
    expect(withHead.stderr).toContain(`redline: the saved head ${lastHead} is not in the chain`);
  });

  it("detects an entry rewritten with every later hash recomputed: the key's signatures and a saved head", async () => {
    // Entry 1 (the document's creation) is recorded nowhere else: only the chain can tell.
    const rewritten = copy((sqlite) => rechain(sqlite, 1, (d) => ({ ...d, title: "Something else" })));
    const result = await verify(rewritten);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `redline: entry 1 and ${lastId - 1} later entries carry a signature that does not match: written or rewritten without the audit key`,
    );
    expect(result.stdout).not.toContain("audit log broken");
    const withHead = await verify(rewritten, "--head", publishedHead);
    expect(withHead.stdout).toContain(`✗ the saved head ${publishedHead} is not in the chain`);
  });

  it("detects a rewrite signed with another key, or with every signature stripped", async () => {
    const ownKey = await verify(
      copy((sqlite) => rechain(sqlite, 3, (d) => ({ ...d, forged: true }), "own-key")),
    );
    expect(ownKey.code).toBe(1);
    expect(ownKey.stderr).toMatch(
      /entry 3 and \d+ later entries are signed with key [0-9a-f]{16}, which is neither AUDIT_KEY nor in AUDIT_RETIRED_KEYS/,
    );
    const stripped = await verify(
      copy((sqlite) => rechain(sqlite, 3, (d) => ({ ...d, forged: true }), "stripped")),
    );
    expect(stripped.code).toBe(1);
    // The command's own record of restoring the dropped triggers is signed, but it is no seal.
    expect(stripped.stderr).toContain(
      `redline: entries 1–${lastId} carry no signature and entry ${lastId + 1} is not the seal that began signing`,
    );
  });

  it("names proof rows that disagree with their entries, or have none", async () => {
    const file = copy((sqlite) => {
      for (const table of ["deliveries", "acknowledgements", "notices", "versions"])
        dropTriggers(sqlite, table);
      sqlite.exec("UPDATE deliveries SET status = 'sent' WHERE status = 'delivered' AND channel = 'email'");
      sqlite
        .prepare("UPDATE acknowledgements SET acknowledged_at = '2020-01-01T00:00:00.000Z' WHERE id = ?")
        .run(ackId);
      sqlite.exec(
        "UPDATE deliveries SET status = 'delivered', status_at = '2020-01-01' WHERE channel = 'dashboard' AND status = 'pending'",
      );
      sqlite.exec(
        `INSERT INTO notices (document_id, version_id, channels, created_by) SELECT document_id, id, '["email"]', 'cli' FROM versions WHERE number = 1`,
      );
      sqlite.exec("UPDATE versions SET summary = 'Nothing to see.' WHERE number = 2");
    });
    const result = await verify(file);
    expect(result.code).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(/^✗ delivery \d+ differs from entry \d+: status sent \(entry: delivered\)$/),
    );
    expect(lines).toContainEqual(`✗ acknowledgement ${ackId} differs from its entry ${lastId}: time`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^✗ delivery \d+ is delivered, but no audit entry records that$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^✗ notice \d+ has no notice.created entry$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^✗ version 2 \(id \d+\) differs from its publication entry \d+: summary$/),
    );
  });

  it("accepts a log written before signatures existed, sealed at the upgrade — and catches a later rewrite of it", async () => {
    // A database as the previous release left it: migrations up to 0005, entries without signatures.
    const folder = join(testDirectory, "old-migrations");
    mkdirSync(join(folder, "meta"), { recursive: true });
    const journal = JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8"));
    journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 5);
    writeFileSync(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
    for (const { tag } of journal.entries)
      cpSync(join(migrationsFolder(), `${tag}.sql`), join(folder, `${tag}.sql`));
    const file = join(testDirectory, "old.db");
    const sqlite = new Database(file);
    applyMigrations(drizzle(sqlite), { migrationsFolder: folder });
    let prevHash = GENESIS_HASH;
    for (const email of ["a@example.test", "b@example.test", "c@example.test"]) {
      const facts = {
        at: new Date().toISOString(),
        actor: "cli",
        action: "user.created",
        documentId: null,
        versionId: null,
        details: { email },
      };
      const hash = auditEntryHash(prevHash, facts);
      sqlite
        .prepare(
          "INSERT INTO audit_log (at, actor, action, document_id, version_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(facts.at, facts.actor, facts.action, null, null, JSON.stringify(facts.details), prevHash, hash);
      prevHash = hash;
    }
    sqlite.close();

    const upgraded = await verify(file);
    expect(upgraded.code, upgraded.stdout + upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toContain("audit log intact: 4 entries, signed from entry 4 on");
    const seal = new Database(file, { readonly: true });
    expect(seal.prepare("SELECT action, details FROM audit_log WHERE id = 4").get()).toEqual({
      action: "audit.signing-started",
      details: JSON.stringify({ unsignedEntries: 3, unsignedHead: prevHash }),
    });
    seal.close();

    // The seal's signature covers the unsigned entries before it: rewriting one shows.
    const rewritten = join(testDirectory, "old-rewritten.db");
    copyFileSync(file, rewritten);
    const forger = new Database(rewritten);
    rechain(forger, 2, () => ({ email: "mallory@example.test" }));
    forger.close();
    const result = await verify(rewritten);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("redline: entry 4 carries a signature that does not match");
  });
});

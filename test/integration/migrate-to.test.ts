/**
 * `redline migrate-to <postgres-url>` (issue 13 item 5): a SQLite database with real content —
 * published versions, a material change with email and dashboard notices sent to the bundled mail
 * server, acknowledgements, API keys, sessions, a signed audit log — copied by the compiled command
 * line into a fresh PostgreSQL database on the local server, then read back with `pg` directly.
 * Each test makes its own `migrateto_*` databases and drops them.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEntryHash, GENESIS_HASH } from "../../app/core/audit";
import { acknowledgeNotice } from "../../app/models/acknowledgements.server";
import { createApiKey } from "../../app/models/api-keys.server";
import { createSession } from "../../app/models/sessions.server";
import { createUser } from "../../app/models/users.server";
import { type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { databaseFile } from "../../db/client";
import { migratePostgres } from "../../db/pg/migrate";
import { main } from "../../scripts/redline";
import { TEST_ENGINE } from "../support/databases";
import { testDirectory } from "../support/fresh-database";
import { addSubscribers, emailTo, publishMaterial, testDispatcher } from "./notify-support";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER = process.env.REDLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const run = promisify(execFile);

let admin: pg.Client;
const created: string[] = [];

/** A fresh database on the local server, dropped after the file. */
async function freshTarget(): Promise<string> {
  const name = `migrateto_${randomBytes(6).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${name}`);
  created.push(name);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The compiled command line, as an operator runs it; never throws, returns what it printed. */
async function migrateTo(target: string, ...more: string[]) {
  return run(process.execPath, [join(ROOT, "bin/redline.js"), "migrate-to", target, ...more], {
    env: { ...process.env, LOG_LEVEL: "warn" },
    cwd: testDirectory,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

async function connect(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function quietCli(...argv: string[]) {
  let stdout = "";
  const code = await main(argv, { out: (text) => (stdout += `${text}\n`), err: () => {} });
  expect(code, argv.join(" ")).toBe(0);
  return stdout;
}

const source = () => new Database(databaseFile(process.env.DATABASE_URL ?? ""), { readonly: true });
const TABLES_WITH_ROWS = [
  "acknowledgements",
  "api_keys",
  "audit_log",
  "deliveries",
  "delivery_batches",
  "documents",
  "notices",
  "sessions",
  "subscribers",
  "users",
  "versions",
];

describe.skipIf(TEST_ENGINE === "postgres")("redline migrate-to", () => {
  let mail: MailServer;
  let counts: Record<string, number>;

  beforeAll(async () => {
    admin = await connect(SERVER);
    const file = join(testDirectory, "privacy.md");
    writeFileSync(file, "# Privacy Policy\n\n## 1. Data\n\nWe keep your email address.");
    await quietCli("import", "privacy", file);
    await quietCli("publish", "privacy", "--last-updated", "2026-11-01");
    const emails = await addSubscribers("mt", 7, (i) => ({ region: i % 2 === 0 ? "EU" : "US" }));
    expect(emails).toHaveLength(7);
    await publishMaterial(
      "privacy",
      emailTo("mt", { channels: ["email", "dashboard"], requireAck: true }),
      "We now share data with Parcelpay.",
    );
    mail = await startMailServer();
    await testDispatcher(mail).drain();
    const reader = source();
    const notice = reader.prepare("SELECT id FROM notices ORDER BY id DESC LIMIT 1").get() as { id: number };
    reader.close();
    await acknowledgeNotice({ externalId: "mt-1", noticeId: notice.id, channel: "dashboard" });
    await acknowledgeNotice({ externalId: "mt-4", noticeId: notice.id, channel: "email" });
    await createApiKey({ name: "backend", actor: { kind: "cli" } });
    const user = await createUser({
      email: "lawyer@example.test",
      role: "approver",
      password: "a long enough password",
      actor: { kind: "cli" },
    });
    await createSession({ userId: user.id });

    const db = source();
    counts = Object.fromEntries(
      TABLES_WITH_ROWS.map((table) => [
        table,
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    );
    db.close();
    for (const table of TABLES_WITH_ROWS) expect(counts[table], table).toBeGreaterThan(0);
  }, 60_000);

  afterAll(async () => {
    await mail?.close();
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  it("copies every row with its ids, hashes, flags and JSON, and the copy verifies", async () => {
    const target = await freshTarget();
    const result = await migrateTo(target, "--format", "json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      ok: true,
      verified: { auditEntries: counts.audit_log, publishedVersions: 2 },
    });
    for (const table of TABLES_WITH_ROWS)
      expect(report.tables.find((t: { table: string }) => t.table === table).rows, table).toBe(counts[table]);

    const db = await connect(target);
    const sqlite = source();
    try {
      for (const table of TABLES_WITH_ROWS) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(counts[table]);
      }

      // Published versions: same ids, hash, content text byte for byte, material as a boolean.
      const before = sqlite
        .prepare("SELECT id, content, content_hash, material, state FROM versions ORDER BY id")
        .all() as { id: number; content: string; content_hash: string; material: number; state: string }[];
      const { rows: after } = await db.query(
        "SELECT id, content::text AS content, content_hash, material, state FROM versions ORDER BY id",
      );
      expect(after).toEqual(before.map((row) => ({ ...row, material: row.material === 1 })));
      expect(after.map((row) => row.material)).toEqual([false, true]);

      // Subscribers' attributes are jsonb (queried), equal as values.
      const { rows: subscriber } = await db.query(
        "SELECT id, external_id, attributes FROM subscribers WHERE external_id = 'mt-2'",
      );
      const original = sqlite
        .prepare("SELECT id, attributes FROM subscribers WHERE external_id = 'mt-2'")
        .get() as { id: number; attributes: string };
      expect(subscriber[0]).toEqual({
        id: original.id,
        external_id: "mt-2",
        attributes: JSON.parse(original.attributes),
      });
      expect(subscriber[0].attributes).toEqual({ group: "mt", region: "EU" });

      // Sent deliveries keep their provider ids; the notice its flag and channels.
      const { rows: sent } = await db.query(
        "SELECT count(*)::int AS n FROM deliveries WHERE channel = 'email' AND status = 'sent' AND provider_message_id IS NOT NULL",
      );
      expect(sent[0].n).toBe(7);
      const { rows: notice } = await db.query("SELECT requires_ack, channels FROM notices");
      const stored = sqlite.prepare("SELECT channels FROM notices").get() as { channels: string };
      expect(notice).toEqual([{ requires_ack: true, channels: JSON.parse(stored.channels) }]);
      expect([...notice[0].channels].sort()).toEqual(["dashboard", "email"]);
      const { rows: acks } = await db.query(
        "SELECT s.external_id, a.channel FROM acknowledgements a JOIN subscribers s ON s.id = a.subscriber_id ORDER BY s.external_id",
      );
      expect(acks).toEqual([
        { external_id: "mt-1", channel: "dashboard" },
        { external_id: "mt-4", channel: "email" },
      ]);

      // The audit chain: every entry as stored, and it still chains when recomputed.
      const { rows: log } = await db.query(
        "SELECT id, at, actor, action, document_id, version_id, details::text AS details, prev_hash, hash, key_id, mac FROM audit_log ORDER BY id",
      );
      expect(log).toEqual(sqlite.prepare("SELECT * FROM audit_log ORDER BY id").all());
      let prev = GENESIS_HASH;
      for (const [index, entry] of log.entries()) {
        expect(entry.id).toBe(index + 1);
        expect(entry.prev_hash).toBe(prev);
        const facts = {
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          documentId: entry.document_id,
          versionId: entry.version_id,
          details: JSON.parse(entry.details),
        };
        expect(auditEntryHash(prev, facts)).toBe(entry.hash);
        prev = entry.hash;
      }
      expect(log.some((entry) => entry.mac)).toBe(true);

      // Sequences are past the copied ids: the next subscriber gets a new id.
      const { rows: added } = await db.query(
        "INSERT INTO subscribers (external_id, email) VALUES ('after-copy', 'after@example.test') RETURNING id",
      );
      const { rows: highest } = await db.query(
        "SELECT max(id)::int AS id FROM subscribers WHERE external_id <> 'after-copy'",
      );
      expect(added[0].id).toBeGreaterThan(highest[0].id);
      const { rows: sequences } = await db.query(
        "SELECT count(*)::int AS n FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL",
      );
      expect(sequences[0].n).toBeGreaterThanOrEqual(TABLES_WITH_ROWS.length - 1);

      // The protective rules are on again: a published version's content is refused.
      const refused = await db
        .query("UPDATE versions SET html = '<p>rewritten</p>' WHERE state = 'published'")
        .catch((error: pg.DatabaseError) => error);
      expect(refused).toMatchObject({ code: "23R01", message: expect.stringContaining("published") });
      const { rows: disabled } = await db.query(
        "SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'",
      );
      expect(disabled[0].n).toBe(0);
      // And the audit log takes the next entry on top of the copied head.
      const next = await db.query(
        "INSERT INTO audit_log (at, actor, action, details, prev_hash, hash) VALUES ('2026-12-01T00:00:00.000Z', 'cli', 'test', '{}', $1, $2) RETURNING id",
        [prev, "f".repeat(64)],
      );
      expect(next.rows[0].id).toBe(log.length + 1);
    } finally {
      sqlite.close();
      await db.end();
    }
  });

  it("refuses a target that is not empty, says what it found, and leaves it as it was", async () => {
    const target = await freshTarget();
    const db = await connect(target);
    try {
      await db.query("CREATE TABLE orders (id int PRIMARY KEY)");
      await db.query("INSERT INTO orders VALUES (1)");
      const foreign = await migrateTo(target);
      expect(foreign.code).toBe(1);
      expect(foreign.stderr).toMatch(
        /^redline: the target database is not empty: tables that are not Redline's: orders\n/,
      );
      const { rows } = await db.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      expect(rows[0].n).toBe(1);

      // A Redline database already in use: its rows are named, and nothing is added.
      await db.query("DROP TABLE orders");
      expect((await migrateTo(target)).code).toBe(0);
      const again = await migrateTo(target);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        /not empty: rows in acknowledgements \(2 rows\), api_keys \(1 row\), audit_log \(\d+ rows\)/,
      );
      const { rows: subscribers } = await db.query("SELECT count(*)::int AS n FROM subscribers");
      expect(subscribers[0].n).toBe(7);
    } finally {
      await db.end();
    }
  });

  it("rolls everything back when a row cannot be copied midway, and copies once the cause is gone", async () => {
    const target = await freshTarget();
    // The schema as migrate-to creates it, plus a constraint one subscriber breaks: documents, users
    // and versions go in first, then the copy fails.
    const pool = new pg.Pool({ connectionString: target, max: 1 });
    pool.on("error", () => {});
    await migratePostgres(pool);
    await pool.end();
    const db = await connect(target);
    try {
      await db.query("ALTER TABLE subscribers ADD CONSTRAINT no_mt_3 CHECK (external_id <> 'mt-3')");

      const failed = await migrateTo(target);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^redline: copying subscribers failed, so nothing was kept: .*no_mt_3/);
      for (const table of TABLES_WITH_ROWS) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(0);
      }
      const { rows: disabled } = await db.query(
        "SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'",
      );
      expect(disabled[0].n).toBe(0);

      await db.query("ALTER TABLE subscribers DROP CONSTRAINT no_mt_3");
      const retried = await migrateTo(target);
      expect(retried).toMatchObject({ code: 0, stderr: "" });
      expect(retried.stdout).toMatch(
        /^copied [\d,]+ rows in \d+ tables to postgres:\/\/.*; verified row counts, the audit chain \(\d+ entries, head [0-9a-f]{12}… at entry \d+\) and 2 published content hashes\n$/,
      );
    } finally {
      await db.end();
    }
  });

  it("rolls back when the copy does not verify: published text that would not hash the same", async () => {
    const target = await freshTarget();
    const pool = new pg.Pool({ connectionString: target, max: 1 });
    pool.on("error", () => {});
    await migratePostgres(pool);
    await pool.end();
    const db = await connect(target);
    try {
      // jsonb re-renders the JSON text (spaces, key order): every row copies, the check catches it.
      await db.query("ALTER TABLE versions ALTER COLUMN content TYPE jsonb USING content::jsonb");
      const failed = await migrateTo(target);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe(
        "redline: published content differs between SQLite and PostgreSQL: its JSON text was not kept byte for byte\n",
      );
      const { rows } = await db.query("SELECT count(*)::int AS n FROM audit_log");
      expect(rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });

  it("refuses a target that is not PostgreSQL, and backup on PostgreSQL names the tools to use", async () => {
    const wrong = await migrateTo("file:./elsewhere.db");
    expect(wrong).toMatchObject({ code: 1 });
    expect(wrong.stderr).toMatch(/^redline: the target must be a PostgreSQL URL naming a database/);

    const target = await freshTarget();
    const backup = await run(
      process.execPath,
      [join(ROOT, "bin/redline.js"), "backup", join(testDirectory, "copy.db")],
      {
        env: { ...process.env, DATABASE_URL: target },
      },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(backup).toMatchObject({ code: 1 });
    expect((backup as { stderr: string }).stderr).toMatch(/pg_dump.*base backup.*point-in-time recovery/s);
    expect((backup as { stderr: string }).stderr).toMatch(/\nredline: backup copies a SQLite file/);
  });
});

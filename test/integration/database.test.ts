import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parsePolicy } from "../../app/core/document";
import { db, transaction, write } from "../../app/models/db.server";
import { saveDraft } from "../../app/models/drafts.server";
import { versionFactsQuery } from "../../app/models/history.server";
import { publishVersion } from "../../app/models/publication.server";
import { publishedFactsQuery } from "../../app/models/versions.server";
import { closeSharedDatabases } from "../../db/client";
import { auditLog, documents, versions } from "../../db/tables";

const content = (text: string) => parsePolicy(`## 1. Scope\n\n${text}`, "markdown").content;
let publishedId: number;

beforeAll(async () => {
  await saveDraft({ slug: "privacy", title: "Privacy", content: content("First."), actor: { kind: "cli" } });
  const published = await publishVersion({
    slug: "privacy",
    request: { material: false, lastUpdated: "2026-11-01" },
    actor: { kind: "cli" },
    noticePeriodDays: 30,
    requireApproval: false,
  });
  publishedId = published.id;
});

describe("the database", () => {
  it("runs in WAL mode with foreign keys enforced", () => {
    expect(db().$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db().$client.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it.each([
    ["content", `UPDATE versions SET content = '{"type":"doc","content":[]}' WHERE id = ?`],
    ["html", "UPDATE versions SET html = '<p>rewritten</p>' WHERE id = ?"],
    ["text", "UPDATE versions SET text = 'rewritten' WHERE id = ?"],
    ["content hash", "UPDATE versions SET content_hash = 'x' WHERE id = ?"],
    ["last updated date", "UPDATE versions SET last_updated = '2020-01-01' WHERE id = ?"],
    ["effective date", "UPDATE versions SET effective_at = '2020-01-01' WHERE id = ?"],
    ["published time", "UPDATE versions SET published_at = '2020-01-01T00:00:00Z' WHERE id = ?"],
    ["material flag", "UPDATE versions SET material = 1, summary = 'x' WHERE id = ?"],
    ["state back to draft", "UPDATE versions SET state = 'draft' WHERE id = ?"],
  ])("refuses an SQL UPDATE of a published version's %s", (_field, sql) => {
    expect(() => db().$client.prepare(sql).run(publishedId)).toThrow("published versions are immutable");
  });

  it.each([
    ["published versions, newest first (public pages)", () => publishedFactsQuery([1]).toSQL()],
    ["every version, newest first (history)", () => versionFactsQuery(1).toSQL()],
  ])("lists %s from the facts index alone, in order", (_, query) => {
    // Anything else reads the rows, whose facts sit behind their bodies' overflow pages (megabytes
    // per large version), on every public request. (Redline never runs ANALYZE: plans are chosen
    // without statistics.)
    const { sql, params } = query();
    const plan = db()
      .$client.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params) as { detail: string }[];
    const steps = plan.map((step) => step.detail).join("; ");
    expect(steps).toMatch(/USING COVERING INDEX versions_facts_idx/);
    expect(steps).not.toMatch(/TEMP B-TREE/);
  });

  it("refuses to delete a published version", () => {
    expect(() => db().$client.prepare("DELETE FROM versions WHERE id = ?").run(publishedId)).toThrow(
      "published versions cannot be deleted",
    );
    expect(db().select().from(versions).where(eq(versions.id, publishedId)).get()?.text).toContain("First.");
  });

  it("lets a published version become superseded, and nothing else", () => {
    const sqlite = db().$client;
    sqlite.exec("SAVEPOINT probe");
    expect(() =>
      sqlite.prepare("UPDATE versions SET state = 'superseded' WHERE id = ?").run(publishedId),
    ).not.toThrow();
    expect(() =>
      sqlite.prepare("UPDATE versions SET state = 'published' WHERE id = ?").run(publishedId),
    ).toThrow("published versions are immutable");
    sqlite.exec("ROLLBACK TO probe; RELEASE probe");
  });

  it("lets a draft change freely", async () => {
    const { version } = await saveDraft({
      slug: "privacy",
      title: "Privacy",
      content: content("Draft."),
      actor: { kind: "cli" },
    });
    expect(() =>
      db().$client.prepare("UPDATE versions SET html = '<p>x</p>' WHERE id = ?").run(version.id),
    ).not.toThrow();
    expect(() => db().$client.prepare("DELETE FROM versions WHERE id = ?").run(version.id)).not.toThrow();
  });

  it("keeps a single open version per document", async () => {
    await saveDraft({
      slug: "privacy",
      title: "Privacy",
      content: content("Draft A."),
      actor: { kind: "cli" },
    });
    const document = db()
      .$client.prepare("SELECT document_id FROM versions WHERE id = ?")
      .get(publishedId) as {
      document_id: number;
    };
    expect(() =>
      db()
        .$client.prepare(
          "INSERT INTO versions (document_id, number, content, html, text, outline, content_hash) VALUES (?, 99, '{}', '', '', '[]', 'h')",
        )
        .run(document.document_id),
    ).toThrow(/UNIQUE constraint failed/);
  });

  it("refuses to edit or delete audit entries", () => {
    const first = db().select().from(auditLog).limit(1).get()!;
    expect(() => db().$client.prepare("UPDATE audit_log SET actor = 'x' WHERE id = ?").run(first.id)).toThrow(
      "the audit log is append-only",
    );
    expect(() => db().$client.prepare("DELETE FROM audit_log WHERE id = ?").run(first.id)).toThrow(
      "the audit log is append-only",
    );
  });

  it.each([
    [
      "a transaction",
      (title: string) =>
        transaction(async (tx) => {
          tx.update(documents).set({ title }).where(eq(documents.slug, "privacy")).run();
        }),
    ],
    [
      "a single write",
      (title: string) =>
        write((database) =>
          database.update(documents).set({ title }).where(eq(documents.slug, "privacy")).run(),
        ),
    ],
  ])(
    "%s waits for another process's write lock without stopping this process, then writes",
    async (kind, change) => {
      // Another process (a worker, the command line) holds the write lock for 300 ms.
      const other = new Database(db().$client.name);
      other.prepare("BEGIN IMMEDIATE").run();
      setTimeout(() => other.prepare("COMMIT").run(), 300);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      try {
        const title = `Privacy (waited: ${kind})`;
        await change(title);
        expect(db().select().from(documents).where(eq(documents.slug, "privacy")).get()?.title).toBe(title);
        // Timers kept running meanwhile: SQLite's own busy wait would have frozen them (and the
        // commit above with them) until busy_timeout ran out, and then failed.
        expect(ticks).toBeGreaterThan(10);
      } finally {
        clearInterval(ticker);
        other.close();
      }
    },
  );
});

// Last in this file: it closes the database (the next statement would open it again).
describe("WAL checkpoints", () => {
  it("run on a thread of their own: a large commit returns before its pages reach the file, which they soon do", async () => {
    const client = db().$client;
    const file = client.name;
    client.exec("CREATE TABLE ballast (b BLOB)");
    const before = statSync(file).size;
    // About 8 MB, far past the 1,000 pages at which SQLite would copy them into the file inside
    // this very COMMIT, on this event loop.
    client.exec(
      `BEGIN IMMEDIATE;
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 80)
       INSERT INTO ballast SELECT randomblob(100000) FROM n;
       COMMIT`,
    );
    expect(statSync(file).size - before).toBeLessThan(4_000_000);
    await vi.waitFor(() => expect(statSync(file).size - before).toBeGreaterThan(7_000_000), {
      timeout: 5_000,
      interval: 50,
    });
  });

  it("leave no WAL behind when the database closes: the write connection closes last and folds it", async () => {
    const file = db().$client.name;
    await write((database) => database.$client.exec("INSERT INTO ballast VALUES (randomblob(1000))"));
    await closeSharedDatabases();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare("SELECT count(*) AS n FROM ballast").get()).toEqual({ n: 81 });
    reopened.close();
  });
});

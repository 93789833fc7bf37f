/**
 * `redline migrate-to`: copies a SQLite database into an empty PostgreSQL database (issue 13 item 5,
 * ADR "migrate-to"). Works on the two drivers directly (better-sqlite3 and `pg`), not through the
 * models, so that it depends only on the two schemas being twins.
 *
 * One transaction on the target: the tables are locked, checked empty, their protective triggers
 * disabled, every row copied in foreign-key order, the triggers enabled again, the identity
 * sequences moved past the copied ids, and the copy verified (row counts, the audit chain recomputed
 * on both sides, published content hashes) before COMMIT. Any failure rolls everything back: the
 * target keeps its (migrated) schema and no row.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import type pg from "pg";
import { type ChainReport, ChainVerifier, type StoredAuditEntry } from "../../app/core/audit";
import { contentHash } from "../../app/core/document/render";
import type { PolicyContent } from "../../app/core/document/types";
import { migratePostgres } from "./migrate";
import * as pgSchema from "./schema";

/** A reason the copy was refused or rolled back, worded for the person who ran it. */
export class MigrationRefused extends Error {}

export type TableCopied = { table: string; rows: number; ms: number };

export type CopyReport = {
  tables: TableCopied[];
  rows: number;
  ms: number;
  verified: {
    auditEntries: number;
    auditHead: { id: number; hash: string } | null;
    publishedVersions: number;
  };
};

/** Redline's tables, as the PostgreSQL schema names them. */
const REDLINE_TABLES: readonly string[] = (Object.values(pgSchema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_CHUNK_ROWS = 1000;
const MAX_PARAMETERS = 60_000;
const PUBLISHED = "('published', 'superseded')";

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

type Column = { name: string; type: string; identity: boolean };
type TablePlan = { table: string; columns: Column[]; orderBy: string };

/* ----------------------------------------------------------------------------- the target */

/**
 * What makes the target unfit: tables of another application (or views, foreign tables) in the
 * schema Redline would use, and Redline tables that already hold rows. Empty when it is fit.
 */
/**
 * Tables the migrations make for the database's own rules, not in the schema: present and filled
 * in every migrated database, never copied (the audit log's high-water mark, set after the copy).
 */
const RULE_TABLES = new Set(["audit_log_head_mark"]);

async function targetProblems(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY c.relname`,
  );
  const ours = new Set(REDLINE_TABLES);
  const kinds: Record<string, string> = { v: "view", m: "materialized view", f: "foreign table" };
  const foreign = rows
    .filter((row) => !RULE_TABLES.has(row.name))
    .filter((row) => !ours.has(row.name) || row.kind !== "r")
    .map((row) => (kinds[row.kind] ? `${row.name} (${kinds[row.kind]})` : row.name));
  const problems: string[] = [];
  if (foreign.length > 0) problems.push(`tables that are not Redline's: ${list(foreign)}`);
  const filled: string[] = [];
  for (const { name } of rows.filter((row) => ours.has(row.name) && row.kind === "r")) {
    // Counted up to a bound: a full count of a large table would only delay the refusal.
    const { rows: counted } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${quote(name)} LIMIT 1001) AS sample`,
    );
    const n = counted[0].n;
    if (n > 0)
      filled.push(
        `${name} (${n > 1000 ? "more than 1,000" : n.toLocaleString("en")} row${n === 1 ? "" : "s"})`,
      );
  }
  if (filled.length > 0) problems.push(`rows in ${list(filled)}`);
  return problems;
}

function list(items: string[]): string {
  return items.length > 8 ? `${items.slice(0, 8).join(", ")} and ${items.length - 8} more` : items.join(", ");
}

/** Redline's tables parents first (a table after every table its foreign keys name), then by name. */
async function tablesInForeignKeyOrder(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.oid <> p.oid`,
  );
  const parents = new Map(REDLINE_TABLES.map((table) => [table, new Set<string>()]));
  for (const { child, parent } of rows) parents.get(child)?.add(parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < REDLINE_TABLES.length) {
    const next = REDLINE_TABLES.find(
      (table) => !placed.has(table) && [...(parents.get(table) ?? [])].every((p) => placed.has(p)),
    );
    if (!next) throw new MigrationRefused("the target's foreign keys form a cycle between tables");
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

/** Each table's columns on both sides; refuses when they differ (one side not migrated to the same release). */
async function planTables(client: pg.ClientBase, source: Database.Database): Promise<TablePlan[]> {
  const sourceTables = new Set(
    (
      source
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '__drizzle_migrations'",
        )
        .all() as { name: string }[]
    ).map((row) => row.name),
  );
  const unknown = [...sourceTables].filter((table) => !REDLINE_TABLES.includes(table));
  if (unknown.length > 0)
    throw new MigrationRefused(
      `the SQLite database has tables this release of Redline does not know, so it cannot copy them: ${list(unknown)}`,
    );
  const { rows } = await client.query<{ table: string; name: string; type: string; identity: boolean }>(
    `SELECT table_name AS table, column_name AS name, data_type AS type, is_identity = 'YES' AS identity
       FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY ordinal_position`,
  );
  const plans: TablePlan[] = [];
  for (const table of await tablesInForeignKeyOrder(client)) {
    const columns = rows.filter((row) => row.table === table);
    if (!sourceTables.has(table))
      throw new MigrationRefused(
        `the SQLite database has no table ${table}: run a release of Redline that matches this one on it first`,
      );
    const sourceColumns = (
      source.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]
    ).map((row) => row.name);
    const targetNames = columns.map((column) => column.name);
    const missing = targetNames.filter((name) => !sourceColumns.includes(name));
    const extra = sourceColumns.filter((name) => !targetNames.includes(name));
    if (missing.length > 0 || extra.length > 0)
      throw new MigrationRefused(
        `table ${table} differs between the two databases (${[
          ...missing.map((name) => `${name} only in PostgreSQL`),
          ...extra.map((name) => `${name} only in SQLite`),
        ].join(", ")}): both must be at the same release of Redline`,
      );
    const orderBy = targetNames.includes("id") ? "id" : "rowid";
    plans.push({ table, columns, orderBy });
  }
  return plans;
}

/* ----------------------------------------------------------------------------- values */

/** A SQLite value as the PostgreSQL column takes it; JSON stays the text SQLite stored, byte for byte. */
function converter(type: string): (value: unknown) => unknown {
  if (type === "boolean") return (value) => (value === null ? null : value !== 0 && value !== 0n);
  if (type === "bigint") return (value) => (typeof value === "bigint" ? value.toString() : value);
  return (value) => value;
}

/* ----------------------------------------------------------------------------- the copy */

async function copyTable(client: pg.ClientBase, source: Database.Database, plan: TablePlan): Promise<number> {
  const names = plan.columns.map((column) => column.name);
  const convert = plan.columns.map((column) => converter(column.type));
  const width = names.length;
  const chunkRows = Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.floor(MAX_PARAMETERS / width)));
  const head = `INSERT INTO ${quote(plan.table)} (${names.map(quote).join(", ")}) VALUES `;
  const placeholders = (count: number) =>
    Array.from(
      { length: count },
      (_, row) => `(${names.map((_, column) => `$${row * width + column + 1}`).join(", ")})`,
    ).join(", ");
  const fullChunk = `${head}${placeholders(chunkRows)}`;
  const statement = source
    .prepare(`SELECT ${names.map(quote).join(", ")} FROM ${quote(plan.table)} ORDER BY ${plan.orderBy}`)
    .raw(true);
  let values: unknown[] = [];
  let pending = 0;
  let copied = 0;
  const flush = async () => {
    if (pending === 0) return;
    // A full chunk reuses one prepared statement; the last, shorter one is planned once.
    await client.query(
      pending === chunkRows
        ? { name: `redline_copy_${plan.table}`, text: fullChunk, values }
        : { text: `${head}${placeholders(pending)}`, values },
    );
    copied += pending;
    values = [];
    pending = 0;
  };
  for (const row of statement.iterate() as IterableIterator<unknown[]>) {
    for (let i = 0; i < width; i++) values.push(convert[i](row[i]));
    pending++;
    if (pending === chunkRows) await flush();
  }
  await flush();
  return copied;
}

/** Moves each identity sequence past the copied ids, and past any id SQLite issued and never reuses. */
async function moveSequences(client: pg.ClientBase, source: Database.Database, plans: TablePlan[]) {
  const issued = new Map(
    (source.prepare("SELECT name, seq FROM sqlite_sequence").all() as { name: string; seq: number }[]).map(
      (row) => [row.name, Number(row.seq)],
    ),
  );
  for (const plan of plans) {
    const identity = plan.columns.find((column) => column.identity);
    if (!identity) continue;
    const { rows } = await client.query<{ last: number | null }>(
      `SELECT max(${quote(identity.name)})::bigint AS last FROM ${quote(plan.table)}`,
    );
    const last = Math.max(Number(rows[0].last ?? 0), issued.get(plan.table) ?? 0);
    if (last > 0)
      await client.query("SELECT setval(pg_get_serial_sequence($1, $2), $3, true)", [
        quote(plan.table),
        identity.name,
        last,
      ]);
    // The audit log's ids come from its head, and its high-water mark says how far they went: as
    // far as SQLite's sequence did, so a tail cut before the copy still shows after it.
    if (plan.table === "audit_log") {
      await client.query("UPDATE audit_log_head_mark SET issued = greatest(issued, $1) WHERE only_row", [
        last,
      ]);
    }
  }
}

/* ----------------------------------------------------------------------------- verification */

type ChainSummary = { report: ChainReport; digest: string };

/** The audit chain recomputed by the same verifier `audit verify` uses, plus a digest of ids and signatures. */
class ChainSummariser {
  private readonly verifier = new ChainVerifier({ keys: null });
  private readonly digest = createHash("sha256");

  push(entry: StoredAuditEntry): void {
    this.verifier.push(entry);
    this.digest.update(`${entry.id}\n${entry.hash}\n${entry.keyId ?? ""}\n${entry.mac ?? ""}\n`);
  }

  finish(): ChainSummary {
    return { report: this.verifier.finish(), digest: this.digest.digest("hex") };
  }
}

type AuditRow = {
  id: number;
  at: string;
  actor: string;
  action: string;
  document_id: number | null;
  version_id: number | null;
  details: string;
  prev_hash: string;
  hash: string;
  key_id: string | null;
  mac: string | null;
};

const AUDIT_COLUMNS = "id, at, actor, action, document_id, version_id, details, prev_hash, hash, key_id, mac";

function toEntry(row: AuditRow): StoredAuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    documentId: row.document_id,
    versionId: row.version_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
    mac: row.mac,
  };
}

function sourceChain(source: Database.Database): ChainSummary {
  const summary = new ChainSummariser();
  const rows = source.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY id`).iterate();
  for (const row of rows as IterableIterator<AuditRow>) summary.push(toEntry(row));
  return summary.finish();
}

/** The target's audit log read back page by page (keyset, memory flat), details as the text stored. */
async function targetChain(client: pg.ClientBase): Promise<ChainSummary> {
  const summary = new ChainSummariser();
  let after = 0;
  for (;;) {
    const { rows } = await client.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS.replace("details", "details::text AS details")} FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000`,
      [after],
    );
    if (rows.length === 0) break;
    for (const row of rows) summary.push(toEntry(row));
    after = Number(rows[rows.length - 1].id);
  }
  return summary.finish();
}

const sameChain = (a: ChainSummary, b: ChainSummary) =>
  a.digest === b.digest &&
  a.report.entries === b.report.entries &&
  a.report.head?.hash === b.report.head?.hash &&
  JSON.stringify(a.report.break) === JSON.stringify(b.report.break) &&
  JSON.stringify(a.report.problems) === JSON.stringify(b.report.problems);

type PublishedRow = { id: number; content: string; content_hash: string };

/** Published versions whose stored hash does not match their content, and a digest of their content text. */
function publishedHashes(rows: Iterable<PublishedRow>) {
  const wrong: number[] = [];
  const digest = createHash("sha256");
  let count = 0;
  for (const row of rows) {
    count++;
    digest.update(`${row.id}\n${row.content}\n`);
    if (contentHash(JSON.parse(row.content) as PolicyContent) !== row.content_hash)
      wrong.push(Number(row.id));
  }
  return { count, wrong, digest: digest.digest("hex") };
}

async function verify(
  client: pg.ClientBase,
  source: Database.Database,
  copied: TableCopied[],
): Promise<CopyReport["verified"]> {
  for (const { table, rows } of copied) {
    const sourceCount = (source.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number })
      .n;
    const { rows: target } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table)}`);
    if (Number(target[0].n) !== sourceCount || rows !== sourceCount)
      throw new MigrationRefused(
        `row counts differ for ${table}: ${sourceCount} in SQLite, ${target[0].n} in PostgreSQL`,
      );
  }

  const before = sourceChain(source);
  const after = await targetChain(client);
  if (!sameChain(before, after))
    throw new MigrationRefused(
      `the audit chain recomputed on PostgreSQL differs from SQLite's (SQLite: ${before.report.entries} entries, head ${before.report.head?.hash ?? "none"}; PostgreSQL: ${after.report.entries} entries, head ${after.report.head?.hash ?? "none"})`,
    );

  const sourcePublished = publishedHashes(
    source
      .prepare(`SELECT id, content, content_hash FROM versions WHERE state IN ${PUBLISHED} ORDER BY id`)
      .iterate() as IterableIterator<PublishedRow>,
  );
  const { rows: published } = await client.query<PublishedRow>(
    `SELECT id, content::text AS content, content_hash FROM versions WHERE state IN ${PUBLISHED} ORDER BY id`,
  );
  const targetPublished = publishedHashes(published);
  if (
    targetPublished.digest !== sourcePublished.digest ||
    targetPublished.wrong.join() !== sourcePublished.wrong.join()
  ) {
    const ids = targetPublished.wrong.filter((id) => !sourcePublished.wrong.includes(id));
    throw new MigrationRefused(
      ids.length > 0
        ? `published version${ids.length === 1 ? "" : "s"} ${ids.join(", ")}: the content hash recomputed on PostgreSQL does not match the stored one`
        : "published content differs between SQLite and PostgreSQL: its JSON text was not kept byte for byte",
    );
  }
  return {
    auditEntries: after.report.entries,
    auditHead: after.report.head,
    publishedVersions: targetPublished.count,
  };
}

/* ----------------------------------------------------------------------------- the whole */

/**
 * Copies `source` (an open SQLite database, migrated to this release) into the PostgreSQL database
 * behind `pool`, which must be empty. Throws `MigrationRefused` for a target that is not empty and
 * for any difference found when verifying; the target then holds no row.
 */
export async function copySqliteToPostgres(options: {
  source: Database.Database;
  /** Best opened with a `lock_timeout`: a target in use is then refused instead of waited for. */
  pool: pg.Pool;
  onTable?: (copied: TableCopied) => void;
}): Promise<CopyReport> {
  return copy(options).catch((error: { code?: string }) => {
    if (error.code !== "55P03") throw error;
    throw new MigrationRefused(
      "another session keeps the target's tables busy: stop whatever is connected to the target and run again",
    );
  });
}

async function copy({
  source,
  pool,
  onTable,
}: {
  source: Database.Database;
  pool: pg.Pool;
  onTable?: (copied: TableCopied) => void;
}): Promise<CopyReport> {
  const started = performance.now();
  {
    const client = await pool.connect();
    try {
      const problems = await targetProblems(client);
      if (problems.length > 0)
        throw new MigrationRefused(`the target database is not empty: ${problems.join("; ")}`);
    } finally {
      client.release();
    }
  }
  await migratePostgres(pool);

  const client = await pool.connect();
  // One read transaction on SQLite: the copy is one snapshot even while Redline keeps writing (WAL).
  source.prepare("BEGIN").run();
  try {
    await client.query("BEGIN");
    try {
      // Nothing else reads or writes while we copy; a session already holding a table makes this
      // fail after the pool's lock_timeout (refused above as "busy") instead of waiting for it.
      await client.query(`LOCK TABLE ${REDLINE_TABLES.map(quote).join(", ")} IN ACCESS EXCLUSIVE MODE`);
      const problems = await targetProblems(client);
      if (problems.length > 0)
        throw new MigrationRefused(`the target database is not empty: ${problems.join("; ")}`);
      const plans = await planTables(client, source);
      // The protective rules refuse what a copy must insert (published versions, notices of old
      // versions, deliveries with outcomes) and number audit entries themselves: off for this
      // transaction only, on again before it commits (ADR migrate-to).
      for (const { table } of plans) await client.query(`ALTER TABLE ${quote(table)} DISABLE TRIGGER USER`);
      const copied: TableCopied[] = [];
      for (const plan of plans) {
        const tableStarted = performance.now();
        const rows = await copyTable(client, source, plan).catch((error: Error) => {
          throw new MigrationRefused(
            `copying ${plan.table} failed, so nothing was kept: ${error.message.split("\n")[0]}`,
          );
        });
        const done = { table: plan.table, rows, ms: Math.round(performance.now() - tableStarted) };
        copied.push(done);
        onTable?.(done);
      }
      for (const { table } of plans) await client.query(`ALTER TABLE ${quote(table)} ENABLE TRIGGER USER`);
      await moveSequences(client, source, plans);
      const verified = await verify(client, source, copied);
      await client.query("COMMIT");
      return {
        tables: copied,
        rows: copied.reduce((sum, table) => sum + table.rows, 0),
        ms: Math.round(performance.now() - started),
        verified,
      };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  } finally {
    if (source.inTransaction) source.prepare("COMMIT").run();
    client.release();
  }
}

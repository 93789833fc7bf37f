/**
 * What each engine does differently to keep itself in order (ADR 0017): apply its migrations,
 * restore its protective rules, answer a readiness ping, count missing migrations and list what is
 * wrong with its rules. Models and health checks call these, never an engine's own API.
 */
import { sql } from "drizzle-orm";
import { migrateDatabase, migrationsFolder, missingMigrations } from "./client";
import { type Queryable, row } from "./dialect";
import { type DatabaseEngine, Engine } from "./engine";
import type { PgEngine } from "./pg/engine";
import { migratePostgres, missingPostgresMigrations, pgMigrationsFolder } from "./pg/migrate";
import * as pgRules from "./pg/rules";
import * as sqliteRules from "./rules";

export type RuleProblem = { name: string; problem: "missing" | "altered" | "disabled" | "unexpected" };

const isSqlite = (engine: DatabaseEngine): engine is Engine => engine instanceof Engine;

/**
 * Applies the committed migrations and re-creates every protective rule that is missing, altered or
 * disabled; says what it repaired and whether this run added the audit log's signature columns (the
 * run that seals the unsigned entries, ADR 0011 — a PostgreSQL database always had them).
 */
export async function migrateEngine(
  engine: DatabaseEngine,
): Promise<{ restored: RuleProblem[]; signingBegins: boolean }> {
  if (isSqlite(engine)) {
    const client = engine.writer.$client;
    const columns = client.prepare("SELECT name FROM pragma_table_info('audit_log')").pluck().all();
    migrateDatabase(engine.writer);
    return {
      restored: sqliteRules.restoreTriggers(client, migrationsFolder()),
      signingBegins: !columns.includes("mac"),
    };
  }
  const pool = (engine as PgEngine).pool;
  await migratePostgres(pool);
  return { restored: await pgRules.restoreTriggers(pool, pgMigrationsFolder()), signingBegins: false };
}

/** The database answers a read (the readiness check). */
export async function pingEngine(engine: DatabaseEngine): Promise<void> {
  if (isSqlite(engine)) {
    engine.read.$client.prepare("SELECT count(*) FROM sqlite_master").get();
    return;
  }
  await row(engine.read, sql`SELECT 1 AS ok`);
}

/** How many of this installation's migrations the database lacks. */
export function missingEngineMigrations(
  engine: DatabaseEngine,
): Promise<{ expected: number; missing: number }> {
  if (isSqlite(engine)) return Promise.resolve(missingMigrations(engine.read));
  return missingPostgresMigrations((engine as PgEngine).pool);
}

/** Protective rules that are missing, altered, disabled, or not Redline's (read-only). */
export async function inspectEngineRules(engine: DatabaseEngine): Promise<RuleProblem[]> {
  if (isSqlite(engine)) return sqliteRules.inspectTriggers(engine.read.$client, migrationsFolder());
  return pgRules.inspectTriggers((engine as PgEngine).pool, pgMigrationsFolder());
}

/**
 * Rows whose parent row is gone (written while foreign keys were off, which any SQLite connection
 * other than Redline's can do). SQLite only: on PostgreSQL only a superuser can switch foreign keys
 * off (by disabling their system triggers), and the rules' inspection already reports disabled
 * triggers.
 */
export function orphanRows(engine: DatabaseEngine): { table: string; rowid: number; parent: string }[] {
  if (!isSqlite(engine)) return [];
  return engine.read.$client.prepare("PRAGMA foreign_key_check").all() as {
    table: string;
    rowid: number;
    parent: string;
  }[];
}

/**
 * The highest audit entry id ever issued, read in the caller's transaction, or null if none was
 * recorded: SQLite's AUTOINCREMENT sequence; on PostgreSQL the high-water mark the append trigger
 * keeps (pg migration 0007), since there ids come from the chain's head, not a sequence.
 */
export async function auditIdsIssued(engine: DatabaseEngine, tx: Queryable): Promise<number | null> {
  const issued = isSqlite(engine)
    ? await row<{ n: number }>(tx, sql`SELECT seq AS n FROM sqlite_sequence WHERE name = 'audit_log'`)
    : await row<{ n: number }>(tx, sql`SELECT issued AS n FROM audit_log_head_mark`);
  return issued ? Number(issued.n) : null;
}

/**
 * A stamp that changes whenever the audit log may have changed, cheap enough for every view of the
 * audit page (ADR 0017, step 3). SQLite: the write connection's data_version (which other
 * connections' writes change) and the head. PostgreSQL has no data_version: the head, the number of
 * entries, the high-water mark, and the table's cumulative counts of inserted, updated and deleted
 * rows — kept by the server whatever wrote them (triggers disabled or not), reported by other
 * sessions within about a second of their commit.
 */
export async function auditChangeStamp(engine: DatabaseEngine): Promise<string> {
  if (isSqlite(engine)) {
    return engine.write((database) => {
      const client = database.$client;
      const head = client.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").get() as
        | { id: number; hash: string }
        | undefined;
      return `${client.pragma("data_version", { simple: true })}:${head?.id ?? 0}:${head?.hash ?? ""}`;
    });
  }
  const stamp = await row<Record<string, unknown>>(
    engine.read,
    sql`SELECT (SELECT id FROM audit_log ORDER BY id DESC LIMIT 1) AS id,
               (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS hash,
               (SELECT count(*) FROM audit_log) AS entries,
               (SELECT issued FROM audit_log_head_mark) AS issued,
               (SELECT n_tup_ins || '/' || n_tup_upd || '/' || n_tup_del FROM pg_stat_user_tables
                 WHERE relid = 'audit_log'::regclass) AS written`,
  );
  return Object.values(stamp ?? {})
    .map(String)
    .join(":");
}

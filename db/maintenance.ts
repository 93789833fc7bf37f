/**
 * What each engine does differently to keep itself in order (ADR 0017): apply its migrations,
 * restore its protective rules, answer a readiness ping, count missing migrations and list what is
 * wrong with its rules. Models and health checks call these, never an engine's own API.
 */
import { sql } from "drizzle-orm";
import { migrateDatabase, migrationsFolder, missingMigrations } from "./client";
import { row } from "./dialect";
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

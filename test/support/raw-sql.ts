/**
 * Raw SQL as someone holding the database itself could run it, around Redline's protective rules,
 * on either engine: the tamper tests' attacker. SQLite: the named triggers are dropped first (as
 * with the sqlite3 shell; the next migrate restores them). PostgreSQL: a connection of its own as
 * the database's superuser with `session_replication_role = replica`, which skips every user
 * trigger for that session and leaves their definitions as they are. `rawSql` runs raw SQL on a
 * database by its URL (tampering, breaking a table, reading what a server wrote).
 */
import Database from "better-sqlite3";
import pg from "pg";
import { db } from "../../app/models/db.server";
import { databaseFile, engineKind } from "../../db/client";
import { TEST_ENGINE } from "./databases";

/**
 * Runs `statement` (`?` placeholders) around the rules. On SQLite, `triggers` are dropped first, and
 * every trigger on the `tables` named.
 */
export async function asOwner(
  statement: string,
  params: unknown[] = [],
  {
    triggers = [],
    tables = [],
    databaseUrl = process.env.DATABASE_URL!,
  }: {
    triggers?: string[];
    tables?: string[];
    /** Another database than the test's own, e.g. a test server's (RunningServer.databaseUrl). */
    databaseUrl?: string;
  } = {},
): Promise<void> {
  if (engineKind(databaseUrl) === "sqlite") {
    // A connection of its own, as the sqlite3 shell would open (foreign keys off, its default).
    const client = new Database(databaseFile(databaseUrl));
    try {
      const onTables = tables.flatMap(
        (table) =>
          client
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
            .pluck()
            .all(table) as string[],
      );
      for (const trigger of [...triggers, ...onTables]) client.exec(`DROP TRIGGER IF EXISTS "${trigger}"`);
      client.prepare(statement).run(...params);
    } finally {
      client.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET session_replication_role = replica");
    let n = 0;
    await client.query(
      statement.replace(/\?/g, () => `$${++n}`),
      params,
    );
  } finally {
    await client.end();
  }
}

/** Every row of `statement` (`?` placeholders) on the test's database, read as is. */
export async function rawRows<T = Record<string, unknown>>(
  statement: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (TEST_ENGINE === "sqlite")
    return db()
      .$client.prepare(statement)
      .all(...params) as T[];
  let n = 0;
  const pool = db().$client as unknown as pg.Pool;
  return (
    await pool.query(
      statement.replace(/\?/g, () => `$${++n}`),
      params,
    )
  ).rows as T[];
}

/** Raw SQL on a database by its URL, on a connection of its own. Placeholders are `?` on both engines. */
export async function rawSql<T = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (engineKind(databaseUrl) === "postgres") {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      let n = 0;
      const result = await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      );
      return result.rows as T[];
    } finally {
      await client.end();
    }
  }
  const sqlite = new Database(databaseFile(databaseUrl));
  try {
    const statement = sqlite.prepare(text);
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  } finally {
    sqlite.close();
  }
}

/** The table of applied migrations (drizzle keeps it in its own schema on PostgreSQL). */
export function migrationsTable(databaseUrl: string): string {
  return engineKind(databaseUrl) === "postgres" ? "drizzle.__drizzle_migrations" : "__drizzle_migrations";
}

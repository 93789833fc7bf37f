/**
 * Raw SQL on a database by its URL, as someone with access to the database itself would run it
 * (tampering, breaking a table, reading what a server wrote): opens its own connection to the SQLite
 * file or the PostgreSQL database and closes it again. Placeholders are `?` on both engines.
 */
import Database from "better-sqlite3";
import pg from "pg";
import { databaseFile, engineKind } from "../../db/client";

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
